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

// Every date from `from` to `to` inclusive. Throws ConfigError naming `what` for bad input.
std::vector<std::string> days_between(const std::string& from, const std::string& to);

}  // namespace dicomlake
