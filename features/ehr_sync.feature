@ehr_sync
Feature: Connecting to eClinicalWorks and keeping the chart in step
  So that home vital signs land in the patient's eClinicalWorks flowsheet without anyone retyping them,
  the practice connects Vantrexia to its eClinicalWorks sandbox, imports its patients, and every
  reading is sent to eClinicalWorks once — even when eClinicalWorks is briefly unavailable or an
  answer from it is lost on the way back.

  Background:
    Given the practice's eClinicalWorks sandbox holds 12 patients
    And Vantrexia is registered with eClinicalWorks as a connected application of the practice

  Scenario: The administrator checks that Vantrexia can reach eClinicalWorks
    When the administrator checks that Vantrexia can sign in to eClinicalWorks
    Then eClinicalWorks lets Vantrexia in to read patients and to file and read vital signs
    When the administrator checks the connection to eClinicalWorks
    Then the connection works on version 4.0.1 of the health-record exchange standard
    And eClinicalWorks reports 12 test patients
    And eClinicalWorks accepts vital-sign observations

  Scenario: The administrator browses eClinicalWorks and imports selected patients
    When the administrator browses page 1 of the eClinicalWorks patients, 5 at a time
    Then 5 patients are listed with their name, date of birth and MRN
    When the administrator imports the first 3 of them
    Then 3 patients are imported and none skipped
    And each imported patient is linked to their eClinicalWorks record and keeps their MRN

  Scenario: A new reading reaches the patient's eClinicalWorks flowsheet
    Given an imported patient has been given a blood-pressure cuff
    When the cuff sends a reading of 128/82 mmHg with a pulse of 71
    Then eClinicalWorks receives a blood pressure and a heart rate observation for that patient
    And the patient's sync history shows both entries filed, each with the reference eClinicalWorks gave it

  Scenario: Readings taken while eClinicalWorks is unavailable are sent once it is back
    Given an imported patient has been given a blood-pressure cuff
    And eClinicalWorks is unavailable and asks to be tried again in 2 minutes
    When the cuff sends a reading of 142/91 mmHg with a pulse of 77
    Then the patient's sync history shows both entries waiting to be tried again because eClinicalWorks was unavailable
    And eClinicalWorks holds no observation for that patient yet
    When eClinicalWorks is available again and 2 minutes have passed
    Then eClinicalWorks holds each observation of that reading exactly once
    And the patient's sync history shows both entries as delivered

  Scenario: A reading whose answer from eClinicalWorks was lost is sent again without filing it twice
    Given an imported patient has been given a blood-pressure cuff
    And eClinicalWorks will file the next observation but its answer will be lost on the way back
    When the cuff sends a reading of 128/82 mmHg with a pulse of 71
    And sending it to eClinicalWorks is tried again
    Then eClinicalWorks holds each observation of that reading exactly once
    And the patient's sync history shows both entries as delivered

  Scenario: A reading filed for the wrong patient is withdrawn from the flowsheet
    Given an imported patient has been given a blood-pressure cuff
    And the cuff sends a reading of 128/82 mmHg with a pulse of 71
    When a clinician marks that reading as entered in error
    Then eClinicalWorks shows both observations of that reading as entered in error
    And the patient's readings show that reading as entered in error
