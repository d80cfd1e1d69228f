@audit_privacy
Feature: Every access to patient data is on record, and the record cannot be quietly changed
  For a compliance review: the system writes down who looked at or changed which patient's data,
  when, and with what outcome — without copying the patient's details into that record. The
  record can only grow; any later change to it is detected. Phone notifications never show
  patient details.

  Background:
    Given Greta Northcott's record has been brought over from the clinic's health record
    And Dr. Lindqvist is a clinician and Ms. Abara is an administrator

  Scenario: Looking at a patient's record is written down without the patient's details
    When Dr. Lindqvist opens Greta's record
    Then the audit trail shows that Dr. Lindqvist read a patient record
    And the audit trail does not contain Greta's name, birth date or record number

  Scenario: A clinician of another practice cannot see the patient at all
    Given Dr. Osei is a clinician of another practice
    When Dr. Osei asks for Greta's record
    Then Dr. Osei is told there is no such patient
    And Greta does not appear in Dr. Osei's list of patients
    But Dr. Lindqvist still sees Greta in his list of patients

  Scenario: Only administrators may read the audit trail
    Then Dr. Lindqvist is refused the audit trail
    And Ms. Abara can read the audit trail

  Scenario: The audit trail cannot be edited
    When someone tries to change an entry of the stored audit trail directly
    Then the change is refused

  Scenario: A change made behind the system's back is detected
    Given the audit trail has been sealed
    When someone with full access to the stored records alters a sealed entry
    Then the audit check reports the altered entry as the first broken link

  Scenario: An urgent alert on a phone shows no patient details
    Given Dr. Lindqvist's phone is registered for alerts
    And Greta has a blood-pressure cuff
    When Greta's cuff reads 186/124 mmHg
    Then Dr. Lindqvist's phone shows "New patient alert" with no name, reading or record number
