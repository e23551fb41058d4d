// The report as data: sections of facts, charts and tables, built from the public views (and the
// ledger for run health) by report/build, written by the HTML, CSV, xlsx and mail writers. The
// writers know nothing of SQL; the builder knows nothing of formats.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "report/chart/chart.hpp"

namespace dicomlake::report {

struct Column {
    enum class Kind { text, integer, number, date, boolean };
    std::string name;      // CSV and xlsx header: the source view's column name, snake_case
    std::string title;     // HTML heading
    std::string unit;      // "mGy", "min", "" when none
    Kind kind = Kind::text;
    int decimals = 2;      // numbers in HTML and mail; CSV and xlsx keep full precision
};

// One cell: NULL, a number (integer, number), or text (text, date as ISO YYYY-MM-DD, boolean
// as "true"/"false").
struct Value {
    std::optional<double> number;
    std::optional<std::string> text;
    bool is_null() const { return !number && !text; }
    static Value null() { return {}; }
    static Value of(double v) { return {v, std::nullopt}; }
    static Value of(std::string v) { return {std::nullopt, std::move(v)}; }
};

struct Table {
    std::string id;        // CSV file stem and xlsx sheet name: [a-z0-9_], at most 31 characters, unique
    std::string title;
    std::string source;    // where the numbers live, e.g. "dicomlake.v_protocol_nex_outliers"
    std::string meaning;   // one sentence under the title
    std::vector<Column> columns;
    std::vector<std::vector<Value>> rows;  // each row has columns.size() values
    std::size_t html_rows = 25;  // the HTML page and the mail show the first rows; CSV and xlsx have all
};

struct Chart {
    std::string id;        // unique, [a-z0-9_]: the PNG's name and Content-ID in the mail
    bool key = false;      // one of the charts the mail shows as an inline PNG
    std::string source;    // the view it is drawn from
    chart::Spec spec;
};

struct Section {
    std::string id;            // HTML anchor, [a-z0-9-]
    std::string title;
    std::string meaning;       // one sentence: what the section tells
    std::string period;        // the period it covers, in words
    std::string clock;         // which clock its dates are on (run times, real days from the
                               // aggregates, stored shifted dates) and what that means
    std::string empty_reason;  // non-empty: nothing to show, and why ("no CT study in the period")
    std::vector<std::string> facts;  // key figures in one line each ("12 studies failed")
    std::vector<Chart> charts;
    std::vector<Table> tables;
};

struct Report {
    std::string title = "dicomlake report";
    std::string date;          // the report day, ISO (default: yesterday)
    int days = 90;             // days of context for trends
    std::string first_day;     // date - days + 1, ISO
    std::string generated_at;  // when the report was made, UTC ISO: a clock time, not a study's
    std::string version;       // dicomlake's version
    std::vector<Section> sections;
};

}  // namespace dicomlake::report
