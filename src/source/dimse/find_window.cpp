#include "source/dimse/find_window.hpp"

#include "source/dicomweb/answers.hpp"  // kSplitModalities: the same modality split as DICOMweb
#include "util/dates.hpp"

namespace dicomlake::source::dimse {

std::string FindWindow::describe() const {
    std::string s = first_day == last_day ? first_day : first_day + ".." + last_day;
    if (!whole_days()) s += " " + study_time_value();
    if (!modality.empty()) s += " " + modality;
    return s;
}

std::string FindWindow::study_date_value() const {
    return dicom_date_range(first_day, last_day);
}

std::string FindWindow::study_time_value() const {
    return whole_days() ? std::string() : dicom_time(from_s) + "-" + dicom_time(to_s);
}

bool looks_truncated(long answers, long find_cap, bool failed) {
    return failed || (find_cap > 0 && answers >= find_cap);
}

std::vector<FindWindow> split_window(const FindWindow& w, const std::string& configured_modalities) {
    std::vector<FindWindow> out;
    if (!w.modality.empty()) return out;  // already the narrowest query
    if (w.first_day != w.last_day) {
        for (const auto& day : days_between(w.first_day, w.last_day)) {
            FindWindow d;
            d.first_day = d.last_day = day;
            out.push_back(d);
        }
        return out;
    }
    const int from = w.whole_days() ? 0 : w.from_s;
    const int to = w.whole_days() ? 24 * 3600 - 1 : w.to_s;
    if (to - from + 1 > kMinTimeWindowSeconds) {
        const int mid = from + (to - from) / 2;
        FindWindow a = w, b = w;
        a.from_s = from;
        a.to_s = mid;
        b.from_s = mid + 1;
        b.to_s = to;
        return {a, b};
    }
    for (const char* modality : dicomweb::kSplitModalities) {
        if (!dicomweb::modality_asked_for(configured_modalities, modality)) continue;
        FindWindow m = w;
        m.from_s = from;
        m.to_s = to;
        m.modality = modality;
        out.push_back(m);
    }
    return out;
}

}  // namespace dicomlake::source::dimse
