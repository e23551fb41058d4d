// The report's sections, one file each, and what they share: a read-only snapshot of the
// warehouse, the period, and turning a query on a view into a Table. Private to report/build.
#pragma once

#include <pqxx/pqxx>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "report/build.hpp"
#include "report/model.hpp"

namespace dicomlake::report::sections {

// Every section reads the same snapshot (one repeatable-read, read-only transaction).
struct Context {
    pqxx::transaction_base& tx;
    const Options& options;
    std::string first_day;  // options.date - days + 1, ISO

    // "the 90 real days 2025-03-04 to 2025-06-01"
    std::string real_period() const;
};

// The clock of every section built on per-study views (their dates are shifted per patient).
extern const char* const kStoredClock;
extern const char* const kAllStudies;

Section last_night(Context& c);
Section mr(Context& c);
Section ct(Context& c);
Section mammo_fluoro(Context& c);
Section utilization(Context& c);
Section quality(Context& c);

// --- shared helpers (sections/common.cpp) ---

Column text_column(std::string name, std::string title);
Column count_column(std::string name, std::string title, std::string unit = "");
Column number_column(std::string name, std::string title, std::string unit, int decimals = 2);
Column date_column(std::string name, std::string title);
Column bool_column(std::string name, std::string title);

// Runs `sql` and fills a table whose columns are read by name from the result.
Table query_table(pqxx::transaction_base& tx, const std::string& sql, Table head);
Table table_from(const pqxx::result& r, Table head);

// The index of a column by name (throws std::logic_error when absent: a builder bug).
std::size_t column_index(const Table& t, const std::string& name);
std::optional<double> number_at(const Table& t, std::size_t row, const std::string& column);
std::string text_at(const Table& t, std::size_t row, const std::string& column);

long count_of(pqxx::transaction_base& tx, const std::string& sql);
std::optional<double> setting(pqxx::transaction_base& tx, const std::string& name);
bool view_exists(pqxx::transaction_base& tx, const std::string& qualified_name);

// One series per key (a scanner), named by it, in key order.
std::vector<chart::Series> named_series(std::map<std::string, chart::Series> by_name);

// "12", "1.5", "0.25": numbers for facts and labels.
std::string format_number(double v, int decimals = 1);
std::string plural(long n, const std::string& one, const std::string& many);

// A weekly trend per scanner from dicomlake.v_scanner_week (real ISO weeks of the period),
// or nullopt when that view is absent or holds no value of `column` in the period.
std::optional<Chart> weekly_trend(Context& c, const std::string& id, const std::string& column,
                                  const std::string& where, chart::Line line);

}  // namespace dicomlake::report::sections
