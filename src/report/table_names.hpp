// The name each table gets in the exports: its CSV file stem and its xlsx sheet name, the same
// for both so that an analyst finds `x.csv` as sheet `x`.
#pragma once

#include <string>
#include <vector>

#include "report/model.hpp"

namespace dicomlake::report {

// The workbook's first sheet; no table is named like it.
inline constexpr const char* kAboutSheet = "about";

// One name per table, in report order (sections, then tables). The model promises ids of
// [a-z0-9_], at most 31 characters, unique; this still guards, since a bad id would overwrite a
// CSV or make libxlsxwriter refuse the sheet: other characters become '_', long ids are cut to
// 31 characters, an empty id becomes "table", and a name already taken (case-insensitively, as
// Excel compares them), "about", or Excel's reserved "history" gets a suffix "_2", "_3"...
std::vector<std::string> table_names(const Report& report);

}  // namespace dicomlake::report
