#include "normalize/protocol.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>

namespace dicomlake::normalize {

namespace {

bool has(const std::vector<std::string>& values, const std::string& v) {
    return std::find(values.begin(), values.end(), v) != values.end();
}

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
}

}  // namespace

std::vector<double> json_numbers(const std::string& json) {
    std::vector<double> out;
    const char* p = json.c_str();
    while (*p != '\0') {
        if (*p == '-' || *p == '+' || *p == '.' || std::isdigit(static_cast<unsigned char>(*p))) {
            char* end = nullptr;
            double v = std::strtod(p, &end);
            if (end == p) {
                ++p;
                continue;
            }
            out.push_back(v);
            p = end;
        } else {
            ++p;
        }
    }
    return out;
}

std::vector<std::string> json_strings(const std::string& json) {
    std::vector<std::string> out;
    size_t i = 0;
    while ((i = json.find('"', i)) != std::string::npos) {
        size_t j = i + 1;
        std::string s;
        while (j < json.size() && json[j] != '"') {
            if (json[j] == '\\' && j + 1 < json.size()) ++j;
            s += json[j++];
        }
        out.push_back(s);
        i = j + 1;
    }
    return out;
}

ProtocolIdentity classify_protocol(const ProtocolFacts& f) {
    ProtocolIdentity id;
    id.derived = has(f.image_type, "DERIVED");
    std::string d = lower(f.description);
    id.localizer = has(f.image_type, "LOCALIZER") || d.find("loc") != std::string::npos ||
                   d.find("survey") != std::string::npos || d.find("scout") != std::string::npos;
    if (f.modality != "MR") return id;
    if (id.localizer) {
        id.protocol = "LOCALIZER";
        return id;
    }
    std::string plane;
    if (f.orientation) {
        const auto& o = *f.orientation;
        double n[3] = {o[1] * o[5] - o[2] * o[4], o[2] * o[3] - o[0] * o[5], o[0] * o[4] - o[1] * o[3]};
        double ax = std::fabs(n[0]), ay = std::fabs(n[1]), az = std::fabs(n[2]);
        plane = ax >= ay && ax >= az ? "SAG" : ay >= az ? "COR" : "AX";
    }
    std::string weight;
    bool inversion = has(f.scanning_sequence, "IR") || (f.ti_ms && *f.ti_ms > 0);
    double tr = f.tr_ms.value_or(0), te = f.te_ms.value_or(0), ti = f.ti_ms.value_or(0);
    if (inversion && ti > 0 && ti < 400 * std::max(1.0, f.field_strength_t.value_or(1.5) / 1.5))
        weight = "STIR";
    else if (inversion && ti >= 1500)
        weight = "FLAIR";
    else if (f.tr_ms && f.te_ms) {
        if (tr < 1000 && te < 30)
            weight = "T1";
        else if (tr >= 1500 && te >= 60)
            weight = "T2";
        else if (tr >= 1500 && te < 40)
            weight = "PD";
        else if (has(f.scanning_sequence, "GR"))
            weight = "GRE";
    }
    if (!plane.empty() && !weight.empty()) id.protocol = plane + "_" + weight;
    return id;
}

std::pair<std::optional<double>, std::string> acquisition_time(const AcquisitionTimeFacts& f) {
    if (f.acquisition_duration_s && *f.acquisition_duration_s > 0) return {*f.acquisition_duration_s, "measured"};
    if (f.span_s && *f.span_s > 0) return {*f.span_s, "span"};
    if (f.tr_ms && f.phase_steps && *f.tr_ms > 0 && *f.phase_steps > 0) {
        double nex = f.nex.value_or(1), etl = std::max(1.0, f.echo_train_length.value_or(1)),
               pf = std::max(1.0, f.parallel_factor.value_or(1));
        return {*f.tr_ms / 1000.0 * *f.phase_steps * nex / (etl * pf), "modelled"};
    }
    return {std::nullopt, ""};
}

}  // namespace dicomlake::normalize
