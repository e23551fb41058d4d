// Calendar arithmetic on ISO dates (YYYY-MM-DD), without time zones.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace dicomlake {

// Days since 1970-01-01, or nullopt when `iso` is not a real date.
std::optional<long> parse_iso_date(const std::string& iso);
std::string format_iso_date(long days_since_epoch);

std::string add_days(const std::string& iso, long offset);
std::string today_plus(long offset);  // local calendar date

// Query values of DICOM's DA and TM matching (PS3.4 C.2.2.2.5), shared by QIDO-RS and C-FIND:
// "20240105" for one day, "20240105-20240107" for a range; "HHMMSS" for seconds of the day.
std::string dicom_date_range(const std::string& first_iso, const std::string& last_iso);
std::string dicom_time(int seconds_of_day);

// Every date from `from` to `to` inclusive. Throws ConfigError naming `what` for bad input.
std::vector<std::string> days_between(const std::string& from, const std::string& to);

}  // namespace dicomlake
