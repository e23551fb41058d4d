#include "source/dimse/sampling.hpp"

#include <algorithm>

namespace dicomlake::source::dimse {

bool image_series(const std::string& modality) {
    static const char* const kNonImage[] = {"SR",       "KO",     "PR",     "DOC",      "REG",  "RTSTRUCT",
                                            "RTPLAN",   "RTRECORD", "RTDOSE", "FID",    "HO",   "PLAN",
                                            "AU",       "ECG",    "HD",     "EPS",      "RWV",  "SMR"};
    for (const char* m : kNonImage)
        if (modality == m) return false;
    return true;
}

bool sampled(const SeriesInfo& s, long n) { return n > 0 && image_series(s.modality) && s.instances > n; }

std::vector<std::string> first_n(std::vector<InstanceInfo> instances, long n) {
    std::sort(instances.begin(), instances.end(), [](const InstanceInfo& a, const InstanceInfo& b) {
        const bool a_has = a.number >= 0, b_has = b.number >= 0;
        if (a_has != b_has) return a_has;
        if (a.number != b.number) return a.number < b.number;
        return a.uid < b.uid;
    });
    std::vector<std::string> out;
    for (const auto& i : instances) {
        if (static_cast<long>(out.size()) >= n) break;
        out.push_back(i.uid);
    }
    return out;
}

}  // namespace dicomlake::source::dimse
