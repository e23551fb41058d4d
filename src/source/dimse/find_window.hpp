// DIMSE has no paging: a C-FIND answers everything at once or stops at the PACS's cap. A study
// query that comes back at the cap (pacs.find_cap) or with a failure status is asked again over
// narrower windows, as the DICOMweb lister does: day by day, then StudyTime halves down to 15
// minutes, then modality by modality. Pure logic, no network.
#pragma once

#include <string>
#include <vector>

namespace dicomlake::source::dimse {

struct FindWindow {
    std::string first_day, last_day;  // ISO dates, inclusive
    int from_s = -1, to_s = -1;       // StudyTime range in seconds of the day (-1: the whole day)
    std::string modality;             // one modality from a split, or empty (the configured filter)

    bool whole_days() const { return from_s < 0; }
    // "2025-06-02..2025-06-06", "2025-06-02 120000-175959 MR": for logs and messages.
    std::string describe() const;
    // The C-FIND matching values: "20250602-20250606", "120000-175959".
    std::string study_date_value() const;
    std::string study_time_value() const;  // empty for whole days
};

inline constexpr int kMinTimeWindowSeconds = 15 * 60;

// Whether an answer of `answers` studies, ended with a failure status or not, may be incomplete.
bool looks_truncated(long answers, long find_cap, bool failed);

// The narrower windows to ask when `w` looked truncated, in order; empty when it cannot be
// narrowed further (then the listing fails as truncated). `configured_modalities` (the
// comma-separated filter, or empty) limits the modality split to those asked for.
std::vector<FindWindow> split_window(const FindWindow& w, const std::string& configured_modalities);

}  // namespace dicomlake::source::dimse
