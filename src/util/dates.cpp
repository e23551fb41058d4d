#include "util/dates.hpp"

#include <cstdio>
#include <ctime>

#include "util/error.hpp"

namespace dicomlake {

namespace {

// Howard Hinnant's civil calendar algorithms (public domain).
long days_from_civil(long y, unsigned m, unsigned d) {
    y -= m <= 2;
    const long era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<long>(doe) - 719468;
}

void civil_from_days(long z, long& y, unsigned& m, unsigned& d) {
    z += 719468;
    const long era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    y = static_cast<long>(yoe) + era * 400;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    d = doy - (153 * mp + 2) / 5 + 1;
    m = mp < 10 ? mp + 3 : mp - 9;
    y += m <= 2;
}

}  // namespace

std::optional<long> parse_iso_date(const std::string& iso) {
    if (iso.size() != 10 || iso[4] != '-' || iso[7] != '-') return std::nullopt;
    for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
        if (iso[i] < '0' || iso[i] > '9') return std::nullopt;
    long y = std::stol(iso.substr(0, 4));
    unsigned m = static_cast<unsigned>(std::stoul(iso.substr(5, 2)));
    unsigned d = static_cast<unsigned>(std::stoul(iso.substr(8, 2)));
    if (m < 1 || m > 12 || d < 1 || d > 31) return std::nullopt;
    long days = days_from_civil(y, m, d);
    if (format_iso_date(days) != iso) return std::nullopt;  // 2026-02-30 and friends
    return days;
}

std::string format_iso_date(long days) {
    long y;
    unsigned m, d;
    civil_from_days(days, y, m, d);
    char buf[48];
    std::snprintf(buf, sizeof buf, "%04ld-%02u-%02u", y, m, d);
    return buf;
}

std::string add_days(const std::string& iso, long offset) {
    auto d = parse_iso_date(iso);
    if (!d) throw ConfigError("'" + iso + "' is not a date of the form YYYY-MM-DD");
    return format_iso_date(*d + offset);
}

std::string today_plus(long offset) {
    std::time_t now = std::time(nullptr);
    std::tm local{};
    localtime_r(&now, &local);
    long days = days_from_civil(local.tm_year + 1900L, static_cast<unsigned>(local.tm_mon + 1),
                                static_cast<unsigned>(local.tm_mday));
    return format_iso_date(days + offset);
}

namespace {

std::string compact_date(const std::string& iso) {
    std::string s;
    for (char c : iso)
        if (c != '-') s += c;
    return s;
}

}  // namespace

std::string dicom_date_range(const std::string& first_iso, const std::string& last_iso) {
    return first_iso == last_iso ? compact_date(first_iso) : compact_date(first_iso) + "-" + compact_date(last_iso);
}

std::string dicom_time(int seconds) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%02d%02d%02d", seconds / 3600, (seconds / 60) % 60, seconds % 60);
    return buf;
}

std::vector<std::string> days_between(const std::string& from, const std::string& to) {
    auto a = parse_iso_date(from);
    auto b = parse_iso_date(to);
    if (!a) throw ConfigError("--from '" + from + "' is not a date of the form YYYY-MM-DD");
    if (!b) throw ConfigError("--to '" + to + "' is not a date of the form YYYY-MM-DD");
    if (*b < *a) throw ConfigError("--to " + to + " is before --from " + from);
    std::vector<std::string> out;
    for (long d = *a; d <= *b; ++d) out.push_back(format_iso_date(d));
    return out;
}

}  // namespace dicomlake
