// The metadata walk (the DICOM JSON reader, then the walk) under the shipped de-identification
// policy, then the series accumulator: what a worker does with every WADO-RS body a PACS sends.
// Invariants: no crash or sanitizer report; failures are MalformedJson, LimitExceeded or
// DeidRefusal from the walk and std::runtime_error from the accumulator; the direct identifiers below are never in
// the output, at any depth, whatever the input carries.
#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include "deid/policy.hpp"
#include "deid/pseudonym.hpp"
#include "fuzz_check.hpp"
#include "model/dicom_json.hpp"
#include "normalize/series.hpp"

namespace {

using namespace dicomlake;

// Patient and visit identifiers that PS3.15 Table E.1-1 removes under the Basic Profile and that
// no option retains (written from the standard, not read from dicomlake's rule table).
constexpr model::TagKey kNeverStored[] = {
    0x00080050,  // Accession Number
    0x00080090,  // Referring Physician's Name
    0x00100010,  // Patient's Name
    0x00100020,  // Patient ID
    0x00100030,  // Patient's Birth Date
    0x00101000,  // Other Patient IDs
    0x00101001,  // Other Patient Names
    0x00101040,  // Patient's Address
    0x00102154,  // Patient's Telephone Numbers
};

const deid::Policy& policy() {
    static const deid::Pseudonymizer pseudonymizer("fuzz-walk-fixed-test-key-0123456789abcdef", 1);
    static const deid::Policy policy(pseudonymizer, deid::ProfileOptions::defaults());
    return policy;
}

void check_instance(const model::Instance& instance) {
    for (const auto& a : instance.attributes)
        for (model::TagKey never : kNeverStored) FUZZ_REQUIRE(a.tag != never, "a direct identifier reached the output");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    simdjson::padded_string body(reinterpret_cast<const char*>(data), size);
    std::vector<model::Instance> instances;
    try {
        model::walk_metadata(body, policy(), [&](model::Instance&& i) {
            check_instance(i);
            instances.push_back(std::move(i));
        });
    } catch (const model::MalformedJson&) {
        return 0;
    } catch (const model::LimitExceeded&) {
        return 0;
    } catch (const deid::DeidRefusal&) {
        return 0;
    }
    normalize::StudyAccumulator accumulator;
    try {
        for (auto& i : instances) accumulator.add(std::move(i));
        normalize::StudyResult result = accumulator.finish();
        FUZZ_REQUIRE(!result.series.empty(), "a finished study has no series");
    } catch (const std::runtime_error&) {
        // "no SeriesInstanceUID", "mixes instances of different studies", "no instance".
    }
    return 0;
}
