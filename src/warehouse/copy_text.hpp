// PostgreSQL COPY text format, written by hand: fields are escaped here once, so the loader
// streams rows without per-field conversions.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <string_view>
#include <vector>

namespace dicomlake::warehouse {

class CopyLine {
public:
    CopyLine& text(std::string_view s);                  // empty string stays empty
    CopyLine& text_or_null(std::string_view s);          // empty string -> NULL
    CopyLine& number(const std::optional<double>& v);    // nullopt/NaN -> NULL
    CopyLine& integer(const std::optional<long>& v);
    CopyLine& array(const std::vector<std::string>& items);  // text[]
    CopyLine& null();
    const std::string& str() const { return line_; }
    std::string take() { return std::move(line_); }  // the line, without a copy; the CopyLine is spent

private:
    void sep();
    void escaped(std::string_view s);
    std::string line_;
    bool first_ = true;
};

// '{"a","b"}': a PostgreSQL array literal (for COPY fields and query parameters).
std::string pg_array_literal(const std::vector<std::string>& items);

// Validators: metadata dates and times that PostgreSQL would reject become NULL instead of
// failing the whole batch ("0", "99999999", "25:61").
bool valid_iso_date(std::string_view s);       // YYYY-MM-DD
bool valid_iso_time(std::string_view s);       // HH:MM[:SS[.f]]
bool valid_iso_timestamp(std::string_view s);  // YYYY-MM-DDTHH:MM[:SS[.f]]

}  // namespace dicomlake::warehouse
