// A DCMTK dataset as a DIMSE peer or an exported file delivers it: text in any declared
// character set (ISO 2022 escape sequences included), elements sent as UN, items that declare
// their own character set. The fuzzer chooses the character set and every value; the target
// builds the dataset, then does what the files and DIMSE sources do with it: prepare_dataset
// (UN re-read by the dictionary, text to UTF-8), the DCMTK reader, the walk under the shipped
// de-identification policy.
// Input: the Specific Character Set, a NUL, then values separated by NULs, given in turn to the
// elements below. Invariants: no crash or sanitizer report; failures are MalformedJson,
// LimitExceeded or DeidRefusal; the direct identifiers are never in the output; every kept
// text value is valid UTF-8.
#include <dcmtk/dcmdata/dcdatset.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcsequen.h>
#include <dcmtk/dcmdata/dcvrobow.h>

#include <cstddef>
#include <cstdio>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "deid/policy.hpp"
#include "deid/pseudonym.hpp"
#include "fuzz_check.hpp"
#include "model/dcmtk_reader.hpp"
#include "model/walk.hpp"

namespace {

using namespace dicomlake;

// Written from PS3.15 Table E.1-1 (removed under the Basic Profile, no option retains them).
constexpr model::TagKey kNeverStored[] = {0x00080050, 0x00080090, 0x00100010, 0x00100020, 0x00100030, 0x00101040};

const deid::Policy& policy() {
    static const deid::Pseudonymizer pseudonymizer("fuzz-dataset-fixed-test-key-0123456789abcd", 1);
    static const deid::Policy policy(pseudonymizer, deid::ProfileOptions::defaults());
    return policy;
}

bool valid_utf8(std::string_view s) {
    for (size_t i = 0; i < s.size();) {
        auto c = static_cast<unsigned char>(s[i]);
        size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
        if (n == 0 || i + n > s.size()) return false;
        for (size_t k = 1; k < n; ++k)
            if ((static_cast<unsigned char>(s[i + k]) >> 6) != 0x2) return false;
        i += n;
    }
    return true;
}

void check(const model::Instance& instance) {
    for (const auto& a : instance.attributes) {
        for (model::TagKey never : kNeverStored) FUZZ_REQUIRE(a.tag != never, "a direct identifier reached the output");
        if (!valid_utf8(a.text) || !valid_utf8(a.json)) std::fprintf(stderr, "%s: %s\n", a.path.c_str(), a.json.c_str());
        FUZZ_REQUIRE(valid_utf8(a.text) && valid_utf8(a.json), "a kept value is not UTF-8");
    }
}

std::vector<std::string> split_at_nul(const std::uint8_t* data, std::size_t size) {
    std::vector<std::string> parts(1);
    for (std::size_t i = 0; i < size; ++i) {
        if (data[i] == 0) parts.emplace_back();
        else parts.back() += static_cast<char>(data[i]);
    }
    return parts;
}

// An element sent as UN whose tag the dictionary knows (a LO): re-read as text by prepare_dataset.
DcmElement* as_un(const DcmTagKey& key, const std::string& value) {
    auto* e = new DcmOtherByteOtherWord(DcmTag(key, EVR_UN));
    std::string padded = value.size() % 2 ? value + " " : value;
    e->putUint8Array(reinterpret_cast<const Uint8*>(padded.data()), static_cast<unsigned long>(padded.size()));
    return e;
}

void build(DcmDataset& ds, const std::vector<std::string>& parts) {
    auto value = [&](size_t i) { return i < parts.size() ? parts[i] : std::string(); };
    ds.putAndInsertString(DCM_SpecificCharacterSet, value(0).c_str());
    ds.putAndInsertString(DCM_StudyInstanceUID, "1.2.3");
    ds.putAndInsertString(DCM_SeriesInstanceUID, "1.2.3.4");
    ds.putAndInsertString(DCM_SOPInstanceUID, "1.2.3.4.5");
    ds.putAndInsertString(DCM_Modality, "MR");
    ds.putAndInsertString(DCM_PatientName, value(1).c_str());
    ds.putAndInsertString(DCM_StudyDescription, value(2).c_str());
    ds.putAndInsertString(DCM_SeriesDescription, value(3).c_str());
    ds.putAndInsertString(DCM_SequenceName, value(4).c_str());
    ds.putAndInsertString(DCM_ReferringPhysicianName, value(5).c_str());
    ds.insert(as_un(DCM_ProtocolName, value(6)), OFTrue);
    auto* item = new DcmItem();
    if (!value(7).empty()) item->putAndInsertString(DCM_SpecificCharacterSet, value(7).c_str());
    item->putAndInsertString(DCM_CodeMeaning, value(8).c_str());
    item->putAndInsertString(DCM_PersonName, value(9).c_str());
    auto* seq = new DcmSequenceOfItems(DCM_ContentSequence);
    seq->insert(item);
    ds.insert(seq, OFTrue);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    DcmDataset ds;
    build(ds, split_at_nul(data, size));
    try {
        model::prepare_dataset(ds);
        model::DcmtkReader reader(ds);
        check(model::walk_instance(reader, policy()));
    } catch (const model::MalformedJson&) {
    } catch (const model::LimitExceeded&) {
    } catch (const deid::DeidRefusal&) {
    }
    return 0;
}
