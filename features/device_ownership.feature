@device_ownership
Feature: A practice's home devices are its own
  Each home device belongs to the practice that registered it. Clinicians of another practice
  cannot see it, cannot give it to one of their patients and cannot take it away from the patient
  it serves: to them it does not exist. A device that sends measurements before any practice
  registered it belongs to nobody until a practice registers it.

  Background:
    Given Greta Northcott of Lakeside Clinic has a blood-pressure cuff
    And Dr. Osei is a clinician of Riverside Clinic

  Scenario: A clinician of another practice cannot take over the patient's cuff
    When Dr. Osei tries to give Greta's cuff to a patient of Riverside Clinic
    Then Dr. Osei is told there is no such device
    And Greta's next measurement from the cuff is still filed in Greta's record

  Scenario: A clinician of another practice does not see the cuff
    When Dr. Osei looks for Greta's cuff
    Then Dr. Osei is told there is no such device
    And Greta's cuff is not in Dr. Osei's list of devices

  Scenario: A device nobody registered becomes the practice's that registers it
    Given a scale nobody registered has sent a measurement
    Then the scale is not in Dr. Osei's list of devices
    When Dr. Osei registers the scale
    Then the scale is in Dr. Osei's list of devices

  Scenario: Registering the practice's own cuff again leads to the cuff already on record
    When a nurse of Lakeside Clinic registers Greta's cuff again
    Then she is told the cuff is registered already and shown Greta's cuff

  Scenario: Registering another practice's cuff reveals nothing about it
    When Dr. Osei registers Greta's cuff
    Then Dr. Osei is told the cuff is registered already and shown nothing more about it
