// An independent reader of Part 10 files (DCMTK directly, not the DICOM JSON path dicomlake
// takes), to check what dicomlake loaded against what the files hold.
#pragma once

#include <optional>
#include <string>

namespace dicomlake::testing {

struct FileFacts {
    std::string study_uid, series_uid, sop_uid, study_date, modality, patient_id;
    // Converted to UTF-8 by DCMTK from the file's SpecificCharacterSet (empty if that failed).
    std::string institution_utf8, series_description_utf8;
    std::optional<double> nex;  // classic NumberOfAverages, else MR Averages Sequence in the groups
    bool enhanced_groups = false;
};

// nullopt when DCMTK cannot read the file.
std::optional<FileFacts> read_facts(const std::string& path);

}  // namespace dicomlake::testing
