@triage_alerts
Feature: Out-of-range home readings alert the care team
  A reading outside safe limits raises an alert for the care team. Urgent alerts reach the
  clinicians' phones straight away, with no patient details on the lock screen, and are passed on
  to the administrators when nobody responds. Limits can be adjusted for an individual patient.

  Background:
    Given Bram Holloway is monitored at home with a blood-pressure cuff and a pulse oximeter
    And Dr. Okafor's phone is registered for alerts

  Scenario Outline: Blood-pressure limits
    When Bram's cuff reads <systolic>/<diastolic> mmHg
    Then the care team sees <outcome>

    Examples:
      | systolic | diastolic | outcome                                   |
      | 181      | 80        | a critical blood-pressure crisis alert    |
      | 130      | 121       | a critical blood-pressure crisis alert    |
      | 180      | 80        | a warning for stage 2 blood pressure      |
      | 140      | 70        | a warning for stage 2 blood pressure      |
      | 139      | 89        | no alert                                  |
      | 89       | 60        | a warning for low blood pressure          |
      | 79       | 50        | a critical alert for low blood pressure   |

  Scenario Outline: Oxygen saturation limits
    When Bram's pulse oximeter reads <spo2> percent
    Then the care team sees <outcome>

    Examples:
      | spo2 | outcome                                   |
      | 90   | no alert                                  |
      | 89   | a warning for low oxygen saturation       |
      | 84   | a critical alert for low oxygen saturation|

  Scenario: An urgent alert reaches the clinician's phone without patient details
    When Bram's cuff reads 186/124 mmHg
    Then Dr. Okafor's phone receives an urgent alert
    And the alert on the phone names no patient and no reading

  Scenario: An urgent alert is not held up by readings waiting to be filed in the chart
    Given 10 of Bram's earlier readings are still waiting to be filed in the chart
    When Bram's cuff reads 186/124 mmHg
    And the system sends its next few messages
    Then Dr. Okafor's phone receives an urgent alert

  Scenario: A patient with lung disease gets lower oxygen limits
    Given Bram's care team sets his low-oxygen limit to 88 percent
    When Bram's pulse oximeter reads 89 percent
    Then the care team sees no alert

  Scenario: An urgent alert nobody answers is passed on
    When Bram's cuff reads 186/124 mmHg
    And nobody acknowledges the alert for 35 minutes
    Then the alert has been passed on twice
    And the alert is flagged because no administrator can be reached by phone

  Scenario: A clinician acknowledges and resolves an alert
    When Bram's cuff reads 186/124 mmHg
    And Dr. Okafor acknowledges the alert
    And Dr. Okafor resolves it noting "Spoke with patient, medication adjusted"
    Then the alert is resolved with that note
    And the alert records Dr. Okafor as the clinician who acknowledged and resolved it
