@reading_sync
Feature: A home blood-pressure reading reaches the patient's chart
  So that the care team sees home vital signs where they already work,
  every blood-pressure reading a patient takes at home is filed in the patient's chart
  in the clinic's health record, once and only once, even when the record is briefly unreachable.

  Background:
    Given Ada Brightwater has been brought over from the clinic's health record
    And a blood-pressure cuff has been given to Ada Brightwater

  Scenario: A normal reading is filed in the chart
    When Ada's cuff sends a reading of 128/82 mmHg with a pulse of 71
    Then the reading is accepted
    And Ada's chart shows a blood pressure of 128/82 mmHg
    And Ada's chart shows a heart rate of 71 beats per minute
    And Ada's sync history shows both entries as delivered

  Scenario: Each patient's reading is filed in their own chart
    Given Ben Okoro has been brought over from the clinic's health record
    And a blood-pressure cuff has been given to Ben Okoro
    When Ben's cuff sends a reading of 135/85 mmHg with a pulse of 66
    Then Ben's chart shows a blood pressure of 135/85 mmHg
    And Ben's sync history shows both entries as delivered
    But nothing is filed in Ada's chart
    And Ada's sync history is empty

  Scenario: The same reading delivered twice is filed once
    When Ada's cuff sends a reading of 128/82 mmHg with a pulse of 71
    And the device cloud delivers that same message again
    Then the repeat delivery is recognised as a duplicate
    And Ada's chart holds exactly one blood pressure for that moment

  Scenario: A reading taken while the health record is unreachable is filed once it is back
    Given the clinic's health record is unreachable
    When Ada's cuff sends a reading of 142/91 mmHg with a pulse of 77
    Then the reading is accepted
    And Ada's sync history shows both entries waiting to be tried again
    When the clinic's health record is reachable again
    Then Ada's chart shows a blood pressure of 142/91 mmHg
    And Ada's sync history shows both entries as delivered

  Scenario: A reading from a cuff nobody has been given is held back
    When a cuff that was never given to a patient sends a reading of 150/95 mmHg with a pulse of 80
    Then the reading is held for review
    And nothing is filed in any chart
