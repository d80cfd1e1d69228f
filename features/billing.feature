@billing
Feature: Remote monitoring billing shows what each month supports
  For every monitored patient the billing team sees which remote-monitoring codes a month
  supports and why — and why not, when something is missing. Nothing is billable without the
  patient's consent to remote monitoring on record.

  Background:
    Given Dario Fairweather has been monitored at home since 1 November 2026

  Scenario Outline: Device supply and set-up depend on the days with readings
    Given Dario has given consent to remote monitoring
    And Dario took readings on <days> days of the 30-day period
    Then the November 2026 billing shows <codes>

    Examples:
      | days | codes                 |
      | 1    | nothing               |
      | 2    | 99453 and 99445       |
      | 15   | 99453 and 99445       |
      | 16   | 99453 and 99454       |
      | 30   | 99453 and 99454       |

  Scenario Outline: Care management time in the month
    Given Dario has given consent to remote monitoring
    And <minutes> minutes of care management were logged in November 2026, <kind> an interactive conversation
    Then the November 2026 billing shows <codes>

    Examples:
      | minutes | kind      | codes                |
      | 9       | including | nothing              |
      | 10      | including | 99470                |
      | 19      | including | 99470                |
      | 20      | including | 99457                |
      | 39      | including | 99457                |
      | 40      | including | 99457 and 99458 x1   |
      | 60      | including | 99457 and 99458 x2   |
      | 45      | without   | nothing              |

  Scenario: Nothing is billable without consent on record
    Given Dario took readings on 20 days of the 30-day period
    And 30 minutes of care management were logged in November 2026, including an interactive conversation
    Then the November 2026 billing shows nothing
    And the billing explains that consent is missing

  Scenario: The month can be exported for the billing team
    Given Dario has given consent to remote monitoring
    And Dario took readings on 16 days of the 30-day period
    Then the November 2026 billing export lists 99453 and 99454 for Dario
