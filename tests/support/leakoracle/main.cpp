// dicomlake-leakoracle: an independent leak oracle. Writes DICOM studies (Part 10, explicit VR
// little endian, so a wrong VR survives to the PACS) and the same instances as DICOM JSON (as
// DCMTK writes them, for a walk that bypasses the PACS), seeded with identifiers taken from
//  - identifying.tsv: the attributes PS3.15 Table E.1-1 lists, copied from the standard, with
//    the action the profile's default options give them (rows kept by an option: not planted);
//  - attack cases: identifiers in public text attributes the table does not list (also inside
//    kept sequences and content items), in public tags no dictionary knows, dates written with
//    a wrong VR, names written into descriptors in Cyrillic, Greek and CJK with other letter
//    case, identifiers split by NUL or control characters or across values and PN groups,
//    every Other Patient ID and issuer, at sequence depths 0 to 3, a study without PatientID.
// DIR/manifest.json lists every canary (value, every spelling that must not appear, the attack
// case and where it was planted), the real dates, and analytic values that must survive.
// This program links DCMTK only: its expectations never come from dicomlake's code.
//
//   dicomlake-leakoracle --list identifying.tsv --out DIR [--seed N] [--date YYYY-MM-DD]
#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>
#include <sstream>

#include "oracle.hpp"

namespace leakoracle {

void Oracle::load_list(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot read the list " + path);
    std::string line;
    bool header = false;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        if (!header) {
            header = true;  // the column names
            continue;
        }
        std::vector<std::string> f;
        std::stringstream ss(line);
        for (std::string c; std::getline(ss, c, '\t');) f.push_back(c);
        if (f.size() != 6) throw std::runtime_error("bad row in " + path + ": " + line);
        list_.push_back({tag_of(f[0]), f[1], f[2], f[3], f[4], f[5]});
    }
    if (list_.size() < 500) throw std::runtime_error(path + " holds too few rows");
}

void Oracle::begin_study(const std::string& name) {
    study_ = name;
    ++study_no_;
    study_uid_ = uid();
    series_ = json::array();
    instances_json_.clear();
}

void Oracle::end_study(const std::string& name, const std::string& modality) {
    studies_.push_back({{"name", name}, {"modality", modality}, {"study_uid", study_uid_}, {"series", series_}});
    std::ofstream f(out_ / "json" / (name + ".json"), std::ios::binary | std::ios::trunc);
    f << "[";
    for (size_t i = 0; i < instances_json_.size(); ++i) f << (i ? "," : "") << instances_json_[i];
    f << "]\n";
    if (!f) throw std::runtime_error("cannot write the DICOM JSON of " + name);
}

void Oracle::save(DcmDataset& ds, int series, int instance) {
    fs::path dir = out_ / "dicom" / study_;
    fs::create_directories(dir);
    fs::path file = dir / (std::to_string(series) + "-" + std::to_string(instance) + ".dcm");
    DcmFileFormat ff(&ds);
    OFCondition c = ff.saveFile(file.c_str(), EXS_LittleEndianExplicit, EET_ExplicitLength);
    if (c.bad()) throw std::runtime_error("cannot write " + file.string() + ": " + c.text());
    std::ostringstream js;
    DcmJsonFormatCompact format(OFFalse);
    c = ds.writeJson(js, format);
    if (c.bad()) throw std::runtime_error("cannot write the DICOM JSON of " + file.string() + ": " + c.text());
    instances_json_.push_back("{" + js.str() + "}");  // DCMTK writes the members only
}

void Oracle::patient(const Node& top, const Person& p, const std::string& pn_value, const std::string& attack) {
    put(top, 0x00080005, "CS", "ISO_IR 192");
    plant(top, 0x00100010, "PN", pn_value, {latin(p.family, attack), latin(p.given, attack)});
    pid_ = token('P');
    plant(top, 0x00100020, "LO", pid_, {latin(pid_, attack)});
    accession_ = token('A');
    plant(top, 0x00080050, "SH", accession_, {latin(accession_, attack)});
    long birth = list_day();
    plant(top, 0x00100030, "DA", da(birth), {date_canary(birth, "birth_date")});
    put(top, 0x00101010, "AS", "047Y");
    put(top, 0x00100040, "CS", "F");
    put(top, 0x00101020, "DS", "1.68");
    put(top, 0x00101030, "DS", "64.5");
    must_survive("PatientAge", "study", "patient_age", "047Y");
    must_survive("PatientSex", "study", "patient_sex", "F");
    must_survive("PatientSize", "study", "patient_size_m", 1.68);
    must_survive("PatientWeight", "study", "patient_weight_kg", 64.5);
}

void Oracle::study_header(const Node& top, const std::string& description) {
    put(top, 0x0020000D, "UI", study_uid_);
    record({study_uid_, {}, "uid"}, {{"study", study_}, {"tag", "(0020,000D)"}, {"path", "StudyInstanceUID"}});
    put(top, 0x00080020, "DA", da(day_));
    put(top, 0x00080030, "TM", "101500");
    put(top, 0x00081030, "LO", description);
}

void Oracle::series_header(const Node& s, const char* modality, const char* sop_class, int number) {
    series_uid_ = uid();
    record({series_uid_, {}, "uid"}, {{"study", study_}, {"tag", "(0020,000E)"}, {"path", "SeriesInstanceUID"}});
    put(s, 0x00080060, "CS", modality);
    put(s, 0x00080016, "UI", sop_class);
    put(s, 0x0020000E, "UI", series_uid_);
    put(s, 0x00200011, "IS", std::to_string(number));
    put(s, 0x00080021, "DA", da(day_));
    put(s, 0x00080031, "TM", "102000");
    put(s, 0x00080022, "DA", da(day_));
    put(s, 0x00080032, "TM", "102100");
    put(s, 0x00200052, "UI", uid());
    put(s, 0x00180015, "CS", "KNEE");
    must_survive("BodyPartExamined", "series", "body_part", "KNEE");
    series_.push_back(series_uid_);
}

void Oracle::mr_physics(const Node& s, const char* nex, const char* tr, const char* te) {
    std::string serial = "ORCDEV" + std::to_string(seed_ % 1000) + "M";
    put(s, 0x00080070, "LO", "Siemens Healthineers");
    put(s, 0x00081090, "LO", "MAGNETOM Vida");
    put(s, 0x00181000, "LO", serial);
    put(s, 0x00180083, "DS", nex);
    put(s, 0x00180080, "DS", tr);
    put(s, 0x00180081, "DS", te);
    put(s, 0x00180087, "DS", "3");
    must_survive("ManufacturerModelName", "series", "model", "MAGNETOM Vida");
    must_survive("DeviceSerialNumber", "series", "device_serial", serial);
    must_survive("NumberOfAverages", "series", "nex", std::stod(nex));
    must_survive("RepetitionTime", "series", "tr_ms", std::stod(tr));
    must_survive("EchoTime", "series", "te_ms", std::stod(te));
}

void Oracle::ct_physics(const Node& s, double ctdi) {
    std::string serial = "ORCDEV" + std::to_string(seed_ % 1000) + "C";
    put(s, 0x00080070, "LO", "Canon Medical Systems");
    put(s, 0x00081090, "LO", "Aquilion ONE");
    put(s, 0x00181000, "LO", serial);
    put(s, 0x00180060, "DS", "120");
    DcmTag t(0x0018, 0x9345, EVR_FD);
    s.item->putAndInsertFloat64(t, ctdi);
    must_survive("ManufacturerModelName", "series", "model", "Aquilion ONE");
    must_survive("DeviceSerialNumber", "series", "device_serial", serial);
    must_survive("CTDIvol", "series", "ctdivol_mgy", ctdi);
}

json Oracle::manifest() const {
    json m;
    m["generator"] = "dicomlake-leakoracle";
    m["seed"] = seed_;
    m["real_day"] = {{"value", da(day_)}, {"forms", {iso(day_)}}};
    m["uid_root"] = uid_root_;
    m["studies"] = studies_;
    json canaries = canaries_;
    for (auto& c : canaries)
        if (c["attack"] == "patient") c["attack"] = "list";  // only in the patient module: the list's case
    m["canaries"] = canaries;
    m["must_survive"] = survive_;
    m["wrong_vr"] = wrong_vr_;
    m["list"] = {{"rows", list_.size()}, {"planted", list_planted_}, {"skipped", skipped_}};
    std::map<std::string, size_t> by_attack;
    for (const auto& c : canaries) by_attack[c["attack"].get<std::string>()]++;
    m["by_attack"] = by_attack;
    return m;
}

}  // namespace leakoracle

int main(int argc, char** argv) {
    using namespace leakoracle;
    namespace fs = std::filesystem;
    using json = nlohmann::ordered_json;
    std::string out, list, date = "2024-02-29";
    std::uint32_t seed = 1;
    CLI::App app{"dicomlake-leakoracle: DICOM studies seeded with identifiers from an independent list and attack "
                 "cases, plus manifest.json"};
    app.add_option("--list", list, "the list of identifying attributes (identifying.tsv)")->required();
    app.add_option("--out", out, "output directory (DIR/dicom, DIR/json, DIR/manifest.json)")->required();
    app.add_option("--seed", seed, "seed; same arguments => same output")->capture_default_str();
    app.add_option("--date", date, "the real study day, YYYY-MM-DD")->capture_default_str();
    CLI11_PARSE(app, argc, argv);
    try {
        if (!dcmDataDict.isDictionaryLoaded()) throw std::runtime_error("the DCMTK data dictionary is not loaded");
        int y = 0, mo = 0, d = 0;
        if (std::sscanf(date.c_str(), "%4d-%2d-%2d", &y, &mo, &d) != 3 || iso(days_from_civil(y, mo, d)) != date)
            throw std::runtime_error("--date must be a valid YYYY-MM-DD date");
        fs::path dir(out);
        fs::remove_all(dir / "dicom");
        fs::remove_all(dir / "json");
        fs::create_directories(dir / "dicom");
        fs::create_directories(dir / "json");
        Oracle oracle(seed, days_from_civil(y, mo, d), dir);
        oracle.load_list(list);
        oracle.run();
        json m = oracle.manifest();
        std::ofstream f(dir / "manifest.json", std::ios::binary | std::ios::trunc);
        f << m.dump(1) << "\n";
        if (!f) throw std::runtime_error("cannot write manifest.json");
        std::cout << "dicomlake-leakoracle: " << m["studies"].size() << " studies, " << m["canaries"].size()
                  << " canaries (" << m["list"]["planted"] << " listed attributes planted) -> " << out << "\n";
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "dicomlake-leakoracle: " << e.what() << "\n";
        return 1;
    }
}
