@sign_in
Feature: Signing in cannot be used to find out who has an account or to lock staff out
  Someone trying passwords is slowed down where they are, without keeping the account's owner out
  of their own work. Trying many different names from one place is stopped too. A wrong name is
  answered exactly like a wrong password. Every lock, and every lock an administrator lifts, is on
  record.

  Background:
    Given Ms. Abara is an administrator who signs in from her own computer

  Scenario: Someone guessing Ms. Abara's password elsewhere does not lock her out
    When someone at another place enters a wrong password for Ms. Abara five times
    Then that place is told to wait before trying Ms. Abara's account again
    But Ms. Abara can still sign in from her own computer
    And the audit trail shows Ms. Abara's account was locked for that place only

  Scenario: Trying many different names from one place is stopped
    When someone at another place tries twenty different names with wrong passwords
    Then that place is told to wait, even with Ms. Abara's correct password
    But Ms. Abara can still sign in from her own computer

  Scenario: A name nobody has is answered like a wrong password
    When someone at another place tries a name nobody has and then Ms. Abara's name, each with a wrong password
    Then both answers are the same

  Scenario: An administrator lifts a lock
    Given someone at another place has entered a wrong password for Ms. Abara five times
    When an administrator lifts the locks on Ms. Abara's account
    Then Ms. Abara's account can be tried from that place again
    And the audit trail shows who lifted the lock
