#include "warehouse/copy_text.hpp"

#include <charconv>
#include <cmath>

#include "util/number.hpp"

namespace dicomlake::warehouse {

namespace {

bool digits(std::string_view s, size_t pos, size_t n, int& out) {
    if (pos + n > s.size()) return false;
    int v = 0;
    for (size_t i = pos; i < pos + n; ++i) {
        if (s[i] < '0' || s[i] > '9') return false;
        v = v * 10 + (s[i] - '0');
    }
    out = v;
    return true;
}

}  // namespace

void CopyLine::sep() {
    if (!first_) line_ += '\t';
    first_ = false;
}

void CopyLine::escaped(std::string_view s) {
    line_.reserve(line_.size() + s.size());
    size_t plain = 0;  // start of the run of characters copied as they are
    for (size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        if (c != '\\' && c != '\t' && c != '\n' && c != '\r' && c != '\0') continue;
        line_.append(s.substr(plain, i - plain));
        plain = i + 1;
        switch (c) {
            case '\\': line_ += "\\\\"; break;
            case '\t': line_ += "\\t"; break;
            case '\n': line_ += "\\n"; break;
            case '\r': line_ += "\\r"; break;
            default: break;  // NUL: PostgreSQL text cannot hold it
        }
    }
    line_.append(s.substr(plain));
}

CopyLine& CopyLine::text(std::string_view s) {
    sep();
    escaped(s);
    return *this;
}

CopyLine& CopyLine::text_or_null(std::string_view s) {
    if (s.empty()) return null();
    return text(s);
}

CopyLine& CopyLine::null() {
    sep();
    line_ += "\\N";
    return *this;
}

CopyLine& CopyLine::number(const std::optional<double>& v) {
    if (!v || !std::isfinite(*v)) return null();
    sep();
    append_number_text(line_, *v);
    return *this;
}

CopyLine& CopyLine::integer(const std::optional<long>& v) {
    if (!v) return null();
    sep();
    line_ += std::to_string(*v);
    return *this;
}

CopyLine& CopyLine::array(const std::vector<std::string>& items) { return text(pg_array_literal(items)); }

std::string pg_array_literal(const std::vector<std::string>& items) {
    std::string lit = "{";
    for (size_t i = 0; i < items.size(); ++i) {
        if (i > 0) lit += ',';
        lit += '"';
        for (char c : items[i]) {
            if (c == '"' || c == '\\') lit += '\\';
            lit += c;
        }
        lit += '"';
    }
    return lit + "}";
}

bool valid_iso_date(std::string_view s) {
    int y, m, d;
    if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
    if (!digits(s, 0, 4, y) || !digits(s, 5, 2, m) || !digits(s, 8, 2, d)) return false;
    if (y < 1800 || m < 1 || m > 12 || d < 1) return false;
    static const int days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    int max = days[m - 1] - ((m == 2 && !leap) ? 1 : 0);
    return d <= max;
}

bool valid_iso_time(std::string_view s) {
    int h, mi, se = 0;
    if (s.size() < 5 || s[2] != ':') return false;
    if (!digits(s, 0, 2, h) || !digits(s, 3, 2, mi) || h > 23 || mi > 59) return false;
    if (s.size() == 5) return true;
    if (s.size() < 8 || s[5] != ':' || !digits(s, 6, 2, se) || se > 60) return false;
    if (s.size() == 8) return true;
    size_t frac = s.size() - 9;
    int ignored;
    return s[8] == '.' && frac >= 1 && frac <= 9 && digits(s, 9, frac, ignored);
}

bool valid_iso_timestamp(std::string_view s) {
    if (s.size() < 16 || s[10] != 'T') return false;
    return valid_iso_date(s.substr(0, 10)) && valid_iso_time(s.substr(11));
}

}  // namespace dicomlake::warehouse
