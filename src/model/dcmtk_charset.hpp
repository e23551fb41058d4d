#pragma once
// Text of a DCMTK dataset converted to UTF-8 from its Specific Character Set, in place.
//
// DCMTK converts most character sets itself. The multi-byte ISO 2022 sets (Japanese, Korean,
// Chinese), which Debian's DCMTK cannot convert, are decoded by model/iso2022.hpp. Text beyond
// ASCII without a Specific Character Set (vendors do this) is read as Latin-1, the usual PACS
// default (Orthanc's DefaultEncoding), so the DICOMweb and DCMTK sources store the same text.

#include <cstdint>
#include <string>

class DcmDataset;

namespace dicomlake::model {

// Converts every value a Specific Character Set affects, at every depth (an item's own Specific
// Character Set applies to it and its items). The element itself is left as declared. Returns
// false with `why` set when some text cannot be converted.
bool convert_text_to_utf8(DcmDataset& dataset, std::uint32_t max_value_bytes, std::string& why);

}  // namespace dicomlake::model
