// What the sections share: columns, tables from queries, settings, the weekly trend.
#include <cmath>
#include <cstdio>
#include <map>
#include <stdexcept>

#include "report/sections/sections.hpp"
#include "report/text.hpp"
#include "util/dates.hpp"

namespace dicomlake::report::sections {

const char* const kStoredClock =
    "stored study dates, shifted per patient by whole weeks: a real period cannot be selected, so "
    "this section covers every loaded study";
const char* const kAllStudies = "all loaded studies";

std::string Context::real_period() const {
    return "the " + std::to_string(options.days) + " real days " + first_day + " to " + options.date;
}

namespace {
Column make(std::string name, std::string title, Column::Kind kind, std::string unit, int decimals) {
    Column c;
    c.name = std::move(name);
    c.title = std::move(title);
    c.kind = kind;
    c.unit = std::move(unit);
    c.decimals = decimals;
    return c;
}
}  // namespace

Column text_column(std::string name, std::string title) {
    return make(std::move(name), std::move(title), Column::Kind::text, "", 0);
}
Column count_column(std::string name, std::string title, std::string unit) {
    return make(std::move(name), std::move(title), Column::Kind::integer, std::move(unit), 0);
}
Column number_column(std::string name, std::string title, std::string unit, int decimals) {
    return make(std::move(name), std::move(title), Column::Kind::number, std::move(unit), decimals);
}
Column date_column(std::string name, std::string title) {
    return make(std::move(name), std::move(title), Column::Kind::date, "", 0);
}
Column bool_column(std::string name, std::string title) {
    return make(std::move(name), std::move(title), Column::Kind::boolean, "", 0);
}

namespace {
Value value_of(const pqxx::field& f, Column::Kind kind) {
    if (f.is_null()) return Value::null();
    switch (kind) {
        case Column::Kind::integer:
        case Column::Kind::number: return Value::of(f.as<double>());
        case Column::Kind::boolean: return Value::of(std::string(f.as<bool>() ? "true" : "false"));
        case Column::Kind::text:
        case Column::Kind::date: return Value::of(f.as<std::string>());
    }
    return Value::null();
}
}  // namespace

Table query_table(pqxx::transaction_base& tx, const std::string& sql, Table head) {
    return table_from(tx.exec(sql), std::move(head));
}

Table table_from(const pqxx::result& r, Table head) {
    std::vector<pqxx::row::size_type> at;
    for (const auto& c : head.columns) at.push_back(r.column_number(c.name));
    for (const auto& row : r) {
        std::vector<Value> values;
        values.reserve(at.size());
        for (std::size_t i = 0; i < at.size(); ++i) values.push_back(value_of(row[at[i]], head.columns[i].kind));
        head.rows.push_back(std::move(values));
    }
    return head;
}

std::size_t column_index(const Table& t, const std::string& name) {
    for (std::size_t i = 0; i < t.columns.size(); ++i)
        if (t.columns[i].name == name) return i;
    throw std::logic_error("report table " + t.id + " has no column " + name);
}

std::optional<double> number_at(const Table& t, std::size_t row, const std::string& column) {
    return t.rows.at(row).at(column_index(t, column)).number;
}

std::string text_at(const Table& t, std::size_t row, const std::string& column) {
    return t.rows.at(row).at(column_index(t, column)).text.value_or("");
}

long count_of(pqxx::transaction_base& tx, const std::string& sql) {
    auto r = tx.exec1(sql);
    return r[0].is_null() ? 0 : r[0].as<long>();
}

std::optional<double> setting(pqxx::transaction_base& tx, const std::string& name) {
    auto r = tx.exec_params("SELECT value FROM dicomlake.analysis_setting WHERE name = $1", name);
    if (r.empty() || r[0][0].is_null()) return std::nullopt;
    return r[0][0].as<double>();
}

bool view_exists(pqxx::transaction_base& tx, const std::string& qualified_name) {
    return tx.exec_params1("SELECT to_regclass($1) IS NOT NULL", qualified_name)[0].as<bool>();
}

std::string format_number(double v, int decimals) { return trimmed_number(v, decimals); }

std::vector<chart::Series> named_series(std::map<std::string, chart::Series> by_name) {
    std::vector<chart::Series> out;
    for (auto& [name, series] : by_name) {
        series.name = name;
        out.push_back(std::move(series));
    }
    return out;
}

std::string plural(long n, const std::string& one, const std::string& many) {
    return std::to_string(n) + " " + (n == 1 ? one : many);
}

std::optional<Chart> weekly_trend(Context& c, const std::string& id, const std::string& column,
                                  const std::string& where, chart::Line line) {
    // Written by the trend work in its own migration: read only when it is there.
    if (!view_exists(c.tx, "dicomlake.v_scanner_week")) return std::nullopt;
    auto r = c.tx.exec_params(
        "SELECT device_serial, (week - date '1970-01-01')::bigint, " + c.tx.quote_name(column) +
            " FROM dicomlake.v_scanner_week"
            " WHERE week BETWEEN $1::date - 6 AND $2::date AND " + c.tx.quote_name(column) + " IS NOT NULL" +
            (where.empty() ? "" : " AND " + where) + " ORDER BY device_serial, week",
        c.first_day, c.options.date);
    if (r.empty()) return std::nullopt;
    std::map<std::string, chart::Series> by_scanner;
    for (const auto& row : r) {
        auto& s = by_scanner[row[0].is_null() ? "(no serial)" : row[0].as<std::string>()];
        s.points.push_back({row[1].as<double>(), row[2].as<double>()});
    }
    line.series = named_series(std::move(by_scanner));
    line.x.label = "Week (real, starting Monday)";
    line.x.dates = true;
    return Chart{id, false, "dicomlake.v_scanner_week", std::move(line)};
}

}  // namespace dicomlake::report::sections
