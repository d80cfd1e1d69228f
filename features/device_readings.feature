@device_readings
Feature: Readings from every kind of home device are taken in safely
  Patients measure blood pressure, weight, blood sugar and oxygen saturation at home, and the
  device cloud forwards each measurement. Every measurement is either filed for the patient,
  set aside with a reason a person can read, or held until the clinic says whose device it is.
  Nothing is lost and nothing is counted twice.

  Background:
    Given Celia Dunmore is monitored at home
    And Celia Dunmore has been given a blood-pressure cuff, a scale, a glucose meter and a pulse oximeter

  Scenario Outline: Each kind of measurement is filed with its value in standard units
    When the <sample> arrives from the device cloud
    Then the measurement is accepted
    And Celia's <measure> is recorded as <value> <unit>

    Examples:
      | sample                        | measure           | value  | unit             |
      | normal blood-pressure reading | systolic pressure | 128    | mmHg             |
      | normal blood-pressure reading | pulse             | 71     | beats per minute |
      | weight from the scale         | body weight       | 70.747 | kg               |
      | blood sugar in mmol/L         | blood sugar       | 6.4    | mmol/L           |
      | pulse oximeter reading        | oxygen saturation | 96     | %                |

  Scenario: Blood sugar measured in mmol/L reaches the chart in mg/dL
    When the blood sugar in mmol/L arrives from the device cloud
    Then the chart entry for it shows 115 mg/dL taken before a meal

  Scenario Outline: Measurements that are not real patient values are set aside with a reason
    When the <sample> arrives from the device cloud
    Then the measurement is set aside because of "<reason>"
    And nothing about it is sent to the chart

    Examples:
      | sample                                   | reason                         |
      | control-solution test of the glucose meter | control solution             |
      | pulse oximeter reading it could not take | could not measure              |
      | blood-pressure reading of 60/90          | systolic not above diastolic   |
      | weight of 5 kg                           | outside plausible range        |
      | reading marked as a test by the cloud    | test message                   |
      | reading dated next week                  | in the future                  |

  Scenario: A measurement from a device nobody was given is held for review
    When a reading arrives from a device the clinic never handed out
    Then the measurement is held for review
    When the clinic hands that device to Celia Dunmore from the start of the day
    Then the held measurement is filed for Celia

  Scenario: The same measurement delivered twice is kept once
    When the normal blood-pressure reading arrives from the device cloud
    And the device cloud sends the same measurement again as a separate delivery
    Then the second delivery is recognised as a duplicate
    And Celia has exactly one blood-pressure reading

  Scenario: A device status report updates the device without adding a reading
    When the blood-pressure cuff reports its battery at 92 percent
    Then the cuff's battery shows 92 percent
    And Celia has no readings

  Scenario Outline: A delivery that cannot be read is kept exactly as it came, with a reason
    When a correctly signed delivery arrives that <problem>
    Then the delivery is kept exactly as it came, marked unreadable because "<reason>"
    And Celia has no readings

    Examples:
      | problem                                                | reason                                   |
      | nests its contents a thousand levels deep              | body nests too deeply                    |
      | is not readable text                                   | body is not UTF-8                        |
      | names a device model longer than the system can hold   | modelNumber is longer than 64 characters |
      | hides a control character in the patient's user slot  | uid contains a control or non-printable character |
      | reports a battery level no device could have           | bat is out of range                      |
