// report.xlsx through libxlsxwriter: a first sheet "about" (the report, and for each table its
// sheet, source view, meaning and columns), then one sheet per table named like its CSV.
//
// Cells keep their type: numbers are numbers (full precision, shown with the column's decimals),
// dates are Excel dates (a serial day with a date format, so they sort and filter as dates),
// booleans are booleans, NULL is an empty cell. The header row is bold, frozen and filtered.
// Every libxlsxwriter call that can fail is checked; the first failure throws, naming the file
// and libxlsxwriter's reason, and no half-written workbook is left behind.
#include <xlsxwriter.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>

#include "report/exports.hpp"
#include "report/table_names.hpp"
#include "report/text.hpp"
#include "util/dates.hpp"

namespace dicomlake::report {

namespace {

constexpr double kMinWidth = 8, kMaxWidth = 60;  // column widths, in characters
constexpr long kExcelSerialOf1970 = 25569;       // 1970-01-01 in Excel's 1900 date system
constexpr long kFirstSafeSerial = 61;            // 1900-03-01: Excel's 1900 leap-year bug is behind

// One open workbook: libxlsxwriter's handle, the formats, and the file named in every error.
class Book {
public:
    explicit Book(const std::filesystem::path& file) : file_(file), wb_(workbook_new(file.c_str())) {
        if (wb_ == nullptr) fail("libxlsxwriter could not start a workbook (out of memory)");
        bold = workbook_add_format(wb_);
        format_set_bold(bold);
        heading = workbook_add_format(wb_);
        format_set_bold(heading);
        format_set_font_size(heading, 14);
        date = workbook_add_format(wb_);
        format_set_num_format(date, "yyyy-mm-dd");
    }
    ~Book() {
        if (wb_ != nullptr) lxw_workbook_free(wb_);  // an error before close(): nothing was written
    }
    Book(const Book&) = delete;
    Book& operator=(const Book&) = delete;

    [[noreturn]] void fail(const std::string& why) const {
        throw std::runtime_error("cannot write the spreadsheet " + file_.string() + ": " + why);
    }
    void check(lxw_error err) const {
        if (err != LXW_NO_ERROR) fail(lxw_strerror(err));
    }

    lxw_worksheet* add_sheet(const std::string& name) {
        check(workbook_validate_sheet_name(wb_, name.c_str()));
        lxw_worksheet* sheet = workbook_add_worksheet(wb_, name.c_str());
        if (sheet == nullptr) fail("libxlsxwriter refused the sheet name " + name);
        return sheet;
    }

    // "0", "0.0", "0.00"...: the decimals the HTML shows; the cell keeps full precision.
    lxw_format* decimals(int n) {
        n = std::clamp(n, 0, 10);
        auto found = decimals_.find(n);
        if (found != decimals_.end()) return found->second;
        lxw_format* f = workbook_add_format(wb_);
        format_set_num_format(f, n == 0 ? "0" : ("0." + std::string(static_cast<std::size_t>(n), '0')).c_str());
        return decimals_.emplace(n, f).first->second;
    }

    void close() {
        lxw_workbook* wb = wb_;
        wb_ = nullptr;  // workbook_close frees it, whatever it returns
        const lxw_error err = workbook_close(wb);
        if (err != LXW_NO_ERROR) {
            std::error_code ignored;
            std::filesystem::remove(file_, ignored);
            fail(lxw_strerror(err));
        }
    }

    lxw_format* bold = nullptr;
    lxw_format* heading = nullptr;
    lxw_format* date = nullptr;

private:
    std::filesystem::path file_;
    lxw_workbook* wb_;
    std::map<int, lxw_format*> decimals_;
};

// Characters on screen, roughly: UTF-8 code points (continuation bytes do not count).

std::size_t number_width(double v, int decimals) {
    if (std::fabs(v) >= 1e15) return 15;
    return fixed_decimals(v, decimals).size();
}

// Writes a text cell as what its column says it is: a real date, a boolean, or text.
std::size_t write_text(Book& book, lxw_worksheet* sheet, lxw_row_t row, lxw_col_t col, const Column& column,
                       const std::string& text) {
    if (column.kind == Column::Kind::date) {
        if (const auto days = parse_iso_date(text); days && *days + kExcelSerialOf1970 >= kFirstSafeSerial) {
            book.check(worksheet_write_number(sheet, row, col, static_cast<double>(*days + kExcelSerialOf1970),
                                              book.date));
            return 10;
        }
    }
    if (column.kind == Column::Kind::boolean && (text == "true" || text == "false")) {
        book.check(worksheet_write_boolean(sheet, row, col, text == "true", nullptr));
        return 5;
    }
    book.check(worksheet_write_string(sheet, row, col, text.c_str(), nullptr));
    return display_width(text);
}

// Writes one cell; returns how wide it shows. NULL and non-finite numbers stay empty cells.
std::size_t write_cell(Book& book, lxw_worksheet* sheet, lxw_row_t row, lxw_col_t col, const Column& column,
                       const Value& value) {
    if (value.number) {
        if (!std::isfinite(*value.number)) return 0;
        const int decimals = column.kind == Column::Kind::integer ? 0 : column.decimals;
        book.check(worksheet_write_number(sheet, row, col, *value.number, book.decimals(decimals)));
        return number_width(*value.number, decimals);
    }
    if (value.text) return write_text(book, sheet, row, col, column, *value.text);
    return 0;
}

void set_widths(const Book& book, lxw_worksheet* sheet, const std::vector<std::size_t>& widths) {
    for (std::size_t c = 0; c < widths.size(); ++c) {
        const double width = std::clamp(static_cast<double>(widths[c]) + 2, kMinWidth, kMaxWidth);
        book.check(worksheet_set_column(sheet, static_cast<lxw_col_t>(c), static_cast<lxw_col_t>(c), width, nullptr));
    }
}

void write_table_sheet(Book& book, const std::string& name, const Table& table) {
    lxw_worksheet* sheet = book.add_sheet(name);
    std::vector<std::size_t> widths(table.columns.size());
    for (std::size_t c = 0; c < table.columns.size(); ++c) {
        book.check(worksheet_write_string(sheet, 0, static_cast<lxw_col_t>(c), table.columns[c].name.c_str(), book.bold));
        widths[c] = display_width(table.columns[c].name);
    }
    for (std::size_t r = 0; r < table.rows.size(); ++r) {
        const auto& cells = table.rows[r];
        for (std::size_t c = 0; c < table.columns.size() && c < cells.size(); ++c) {
            const std::size_t w = write_cell(book, sheet, static_cast<lxw_row_t>(r + 1), static_cast<lxw_col_t>(c),
                                             table.columns[c], cells[c]);
            widths[c] = std::max(widths[c], w);
        }
    }
    set_widths(book, sheet, widths);
    worksheet_freeze_panes(sheet, 1, 0);
    if (!table.columns.empty())
        book.check(worksheet_autofilter(sheet, 0, 0, static_cast<lxw_row_t>(table.rows.size()),
                                        static_cast<lxw_col_t>(table.columns.size() - 1)));
}

// The "about" sheet writes rows of text; it tracks its column widths as it goes.
struct TextRows {
    Book& book;
    lxw_worksheet* sheet;
    lxw_row_t row = 0;
    std::vector<std::size_t> widths;

    void add(const std::vector<std::string>& cells, lxw_format* format = nullptr) {
        widths.resize(std::max(widths.size(), cells.size()));
        for (std::size_t c = 0; c < cells.size(); ++c) {
            book.check(worksheet_write_string(sheet, row, static_cast<lxw_col_t>(c), cells[c].c_str(), format));
            widths[c] = std::max(widths[c], display_width(cells[c]));
        }
        ++row;
    }
    void skip() { ++row; }
};

const char* kind_name(Column::Kind kind) {
    switch (kind) {
        case Column::Kind::integer: return "integer";
        case Column::Kind::number: return "number";
        case Column::Kind::date: return "date";
        case Column::Kind::boolean: return "boolean";
        case Column::Kind::text: break;
    }
    return "text";
}

void write_about_sheet(Book& book, const Report& report, const std::vector<std::string>& names) {
    TextRows rows{book, book.add_sheet(kAboutSheet), 0, {}};
    // The title spills over the empty cells beside it: written apart, it sets no column width.
    book.check(worksheet_write_string(rows.sheet, rows.row++, 0, report.title.c_str(), book.heading));
    rows.skip();
    rows.add({"Report day", report.date});
    rows.add({"Period", report.first_day + " to " + report.date + " (" + std::to_string(report.days) + " days)"});
    rows.add({"Generated (UTC)", report.generated_at});
    rows.add({"dicomlake version", report.version});
    rows.skip();
    rows.add({"Sheet", "Section", "Title", "Source view", "Meaning"}, book.bold);
    std::size_t n = 0;
    for (const auto& section : report.sections)
        for (const auto& table : section.tables)
            rows.add({names[n++], section.title, table.title, table.source, table.meaning});
    rows.skip();
    rows.add({"Sheet", "Column", "Title", "Unit", "Type"}, book.bold);
    n = 0;
    for (const auto& section : report.sections)
        for (const auto& table : section.tables) {
            for (const auto& column : table.columns)
                rows.add({names[n], column.name, column.title, column.unit, kind_name(column.kind)});
            ++n;
        }
    set_widths(book, rows.sheet, rows.widths);
}

}  // namespace

void write_xlsx(const Report& report, const std::filesystem::path& file) {
    const std::vector<std::string> names = table_names(report);
    Book book(file);
    write_about_sheet(book, report, names);
    std::size_t n = 0;
    for (const auto& section : report.sections)
        for (const auto& table : section.tables) write_table_sheet(book, names[n++], table);
    book.close();
}

}  // namespace dicomlake::report
