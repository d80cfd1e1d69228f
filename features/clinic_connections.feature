@clinic_connections
Feature: Each clinic is connected to its own health record
  An RPM provider looks after patients of several clinics, and each clinic keeps its charts in its
  own health record. An administrator connects each clinic once; the password the clinic's vendor
  issued for us is locked away and never shown again, not even in the record of who did what.

  Background:
    Given Ms. Abara is an administrator and Dr. Lindqvist is a clinician of the Riverside clinic

  Scenario: An administrator connects a clinic's health record
    When Ms. Abara connects the Riverside clinic to its health record with the password its vendor issued
    Then the Riverside clinic is listed among the connected clinics
    And the password is kept locked away and is never shown
    And the record of who did what says that Ms. Abara connected the Riverside clinic, without the password

  Scenario: A clinic is connected only once
    Given Ms. Abara has connected the Riverside clinic to its health record
    When Ms. Abara connects the Riverside clinic to its health record again
    Then Ms. Abara is told the clinic is connected already and is shown that connection

  Scenario: Only administrators connect clinics
    When Dr. Lindqvist tries to connect the Riverside clinic to its health record
    Then Dr. Lindqvist is refused
    And the Riverside clinic is still not connected
