// The DCMTK reader: a DatasetReader over a DcmItem (a Part 10 file's dataset, an object received
// over DIMSE, or one item of a sequence). It reports what the object holds and decides nothing:
// the walk (model/walk.hpp) arbitrates VRs, de-identifies and types.
//
//   string VRs           one RawValue::text per backslash-separated value (LT ST UT UR: one value)
//   PN                   one RawValue::person_name per value, groups split at '='
//   US SS UL SL FL FD    one RawValue::number per value (text: the shortest form of the number;
//   SV UV AT             AT: its 8 upper-case hex digits)
//   OB OW OF OD OL OV UN nothing: bulk and unknown binary values are never read
//   SQ                   items(): one DcmtkReader per item
//
// Before reading, prepare_dataset() re-reads UN elements whose tag the dictionary knows with the
// dictionary's VR (so text cannot hide in UN) and converts the text to UTF-8.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "model/reader.hpp"

class DcmItem;
class DcmDataset;
class DcmElement;
class DcmFileFormat;

namespace dicomlake::model {

// Values longer than this are refused (LimitExceeded): a header value of a real object is far
// smaller; only bulk data (never read) is larger.
inline constexpr std::uint32_t kMaxDcmtkValueBytes = 64u << 20;

class DcmtkReader final : public DatasetReader {
public:
    // `item` must outlive the reader (and the readers of its items).
    explicit DcmtkReader(DcmItem& item, std::uint32_t max_value_bytes = kMaxDcmtkValueBytes);
    ~DcmtkReader() override;

    bool next() override;
    TagKey tag() override;
    std::string_view sent_vr() override;
    void values(const std::function<void(const RawValue&)>& each) override;
    void items(const std::function<void(DatasetReader* item)>& each) override;
    void rewind() override;

private:
    DcmElement& current() const;
    void string_values(DcmElement& e, const std::function<void(const RawValue&)>& each) const;
    void binary_values(DcmElement& e, const std::function<void(const RawValue&)>& each) const;

    DcmItem& item_;
    std::uint32_t max_value_bytes_;
    long index_ = -1;
    std::string vr_name_;
};

// Makes a dataset ready for a DcmtkReader, in place: UN elements of public tags the DCMTK
// dictionary knows are re-read with the dictionary VR (at every depth), then every text value
// is converted to UTF-8 from the dataset's Specific Character Set. Throws MalformedJson when the
// character set cannot be converted, LimitExceeded for a UN value beyond `max_value_bytes`.
void prepare_dataset(DcmDataset& dataset, std::uint32_t max_value_bytes = kMaxDcmtkValueBytes);

// Reads a Part 10 file (or a bare dataset) up to, not including, PixelData; values longer than
// a few kilobytes stay in the file until read. Returns nullptr when the file is not DICOM.
std::unique_ptr<DcmFileFormat> read_part10_headers(const std::string& path);

// True when the file carries the Part 10 preamble: "DICM" at offset 128.
bool has_part10_preamble(const std::string& path);

}  // namespace dicomlake::model
