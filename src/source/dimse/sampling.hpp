// pacs.instances_per_series: which series are sampled, and which of their instances are fetched.
#pragma once

#include <string>
#include <vector>

namespace dicomlake::source::dimse {

struct SeriesInfo {
    std::string uid;
    std::string modality;
    long instances = -1;  // NumberOfSeriesRelatedInstances, -1 when the PACS does not say
};

struct InstanceInfo {
    std::string uid;
    long number = -1;  // InstanceNumber, -1 when absent
};

// Whether the series is an image series: dose reports (SR), key objects, presentation states,
// encapsulated documents and other non-image objects are always fetched whole.
bool image_series(const std::string& modality);

// Whether only the first `n` instances of `s` are fetched: n > 0, an image series, and the PACS
// says it holds more than n (a series whose size is unknown is fetched whole).
bool sampled(const SeriesInfo& s, long n);

// The UIDs of the first `n` instances by InstanceNumber (instances without one last, then by UID).
std::vector<std::string> first_n(std::vector<InstanceInfo> instances, long n);

}  // namespace dicomlake::source::dimse
