// normalize/dose: dose from X-Ray Radiation Dose SRs (TID 10011 CT, TID 10001 projection X-ray),
// read from the flattened walk. Hand-written DICOM JSON everywhere; the real OpenREM reports of
// ../shared/data/dicom-samples/openrem (converted with DCMTK's dcm2json) when that folder exists,
// also through the real de-identification policy.
#include "normalize/dose.hpp"

#include <gtest/gtest.h>

#include <sys/wait.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "deid/policy.hpp"
#include "deid/pseudonym.hpp"
#include "model/dicom_json.hpp"

namespace dicomlake::normalize {
namespace {

// Relative tolerance for values that went through a unit conversion.
void expect_value(const std::optional<double>& actual, double expected, const std::string& what) {
    ASSERT_TRUE(actual.has_value()) << what << ": no value, expected " << expected;
    EXPECT_NEAR(*actual, expected, std::fabs(expected) * 1e-12) << what;
}

model::Instance walk_one(const std::string& body, const model::AttributeFilter& filter) {
    auto all = model::parse_metadata(body, filter);
    EXPECT_EQ(all.size(), 1u);
    return all.empty() ? model::Instance{} : std::move(all.front());
}

// ---------------------------------------------------------------------------------------------
// DICOM JSON (PS3.18 F.2) builders for hand-written content trees

std::string str_attr(const char* tag, const char* vr, const std::string& value) {
    return "\"" + std::string(tag) + "\":{\"vr\":\"" + vr + "\",\"Value\":[\"" + value + "\"]}";
}
std::string seq(const char* tag, const std::vector<std::string>& items) {
    std::string s = "\"" + std::string(tag) + "\":{\"vr\":\"SQ\"";
    if (!items.empty()) {
        s += ",\"Value\":[";
        for (size_t i = 0; i < items.size(); ++i) s += (i ? "," : "") + std::string("{") + items[i] + "}";
        s += "]";
    }
    return s + "}";
}
std::string code(const std::string& value, const std::string& scheme, const std::string& meaning) {
    return str_attr("00080100", "SH", value) + "," + str_attr("00080102", "SH", scheme) + "," +
           str_attr("00080104", "LO", meaning);
}
std::string concept_name(const std::string& value, const std::string& meaning, const std::string& scheme = "DCM") {
    return seq("0040A043", {code(value, scheme, meaning)});
}
std::string content(const std::vector<std::string>& items) { return seq("0040A730", items); }
std::string item(const char* value_type, const std::string& body) {
    return str_attr("0040A010", "CS", "CONTAINS") + "," + str_attr("0040A040", "CS", value_type) + "," + body;
}
std::string container(const std::string& cv, const std::string& meaning, const std::vector<std::string>& children) {
    return item("CONTAINER", concept_name(cv, meaning) + "," + str_attr("0040A050", "CS", "SEPARATE") + "," +
                                 content(children));
}
std::string num(const std::string& cv, const std::string& meaning, const std::string& value, const std::string& unit) {
    std::string mv = "\"0040A30A\":{\"vr\":\"DS\",\"Value\":[" + value + "]}";
    if (!unit.empty()) mv += "," + seq("004008EA", {code(unit, "UCUM", unit)});
    return item("NUM", concept_name(cv, meaning) + "," + seq("0040A300", {mv}));
}
std::string num_empty(const std::string& cv, const std::string& meaning) {  // empty MeasuredValueSequence
    return item("NUM", concept_name(cv, meaning) + "," + seq("0040A300", {}));
}
std::string code_item(const std::string& cv, const std::string& meaning, const std::string& value_code,
                      const std::string& value_meaning) {
    return item("CODE", concept_name(cv, meaning) + "," + seq("0040A168", {code(value_code, "DCM", value_meaning)}));
}
std::string uidref(const std::string& uid) {
    return item("UIDREF", concept_name("113769", "Irradiation Event UID") + "," + str_attr("0040A124", "UI", uid));
}
std::string document(const std::string& root_code, const std::string& root_meaning, const std::vector<std::string>& children,
                     const std::string& extra = "") {
    return "[{" + str_attr("00080016", "UI", "1.2.840.10008.5.1.4.1.1.88.22") + "," +
           str_attr("00080060", "CS", "SR") + "," + str_attr("00100020", "LO", "PID-1") + "," +
           (extra.empty() ? "" : extra + ",") + str_attr("0040A040", "CS", "CONTAINER") + "," +
           concept_name(root_code, root_meaning) + "," + content(children) + "}]";
}

// A minimal TID 10011 report with the usual breakages: units without dots, an empty measured
// value, a CODE item without ConceptCodeSequence, a NUM without units, a non-standard value type.
std::string minimal_ct_report() {
    return document(
        "113701", "X-Ray Radiation Dose Report",
        {code_item("121058", "Procedure reported", "P5-08000", "Computed Tomography X-Ray"),
         container("113811", "CT Accumulated Dose Data",
                   {num("113812", "Total Number of Irradiation Events", "2", "{events}"),
                    num("113813", "CT Dose Length Product Total", "724.52", "mGycm")}),
         container("113819", "CT Acquisition",
                   {code_item("123014", "Target Region", "T-D4000", "Abdomen"),
                    code_item("113820", "CT Acquisition Type", "P5-08001", "Spiral Acquisition"),
                    uidref("1.2.3.4.100"),
                    container("113829", "CT Dose",
                              {num("113830", "Mean CTDIvol", "9.91", "mGy"),
                               code_item("113835", "CTDIw Phantom Type", "113691", "IEC Body Dosimetry Phantom"),
                               num("113838", "DLP", "708.2", "mGycm"),
                               container("113900", "Dose Check Alert Details",
                                         {num("113904", "CTDIvol Alert Value", "1000", "mGy")})})}),
         container("113819", "CT Acquisition",
                   {item("CODE", concept_name("123014", "Target Region")),  // no ConceptCodeSequence
                    uidref("1.2.3.4.101"),
                    item("PERSON NAME", concept_name("113870", "Person Name")),
                    container("113829", "CT Dose",
                              {num_empty("113830", "Mean CTDIvol"),
                               num("113838", "DLP", "0.0162", "Gy.cm")})})},
        seq("0040A504", {str_attr("00080105", "CS", "DCMR") + "," + str_attr("0040DB00", "CS", "10011")}));
}

TEST(DoseReport, MinimalTid10011Tree) {
    auto inst = walk_one(minimal_ct_report(), model::KeepAllFilter{});
    auto report = extract_dose_report(inst);
    ASSERT_TRUE(report.has_value());
    EXPECT_EQ(report->template_id, "10011");
    EXPECT_DOUBLE_EQ(report->dlp_total_mgycm.value_or(-1), 724.52);
    EXPECT_FALSE(report->dap_total_gym2.has_value());
    EXPECT_FALSE(report->dose_rp_total_gy.has_value());
    ASSERT_EQ(report->events.size(), 2u);

    const DoseEvent& a = report->events[0];
    EXPECT_EQ(a.kind, "CT");
    EXPECT_EQ(a.event_uid, "1.2.3.4.100");
    EXPECT_DOUBLE_EQ(a.ctdivol_mgy.value_or(-1), 9.91);  // not the alert value 1000 that follows
    EXPECT_DOUBLE_EQ(a.dlp_mgycm.value_or(-1), 708.2);
    EXPECT_EQ(a.phantom, "IEC Body Dosimetry Phantom");
    EXPECT_EQ(a.target_region, "Abdomen");
    EXPECT_EQ(a.acquisition_type, "Spiral Acquisition");
    EXPECT_FALSE(a.dap_gym2.has_value());

    const DoseEvent& b = report->events[1];
    EXPECT_EQ(b.event_uid, "1.2.3.4.101");
    EXPECT_FALSE(b.ctdivol_mgy.has_value());  // empty MeasuredValueSequence
    expect_value(b.dlp_mgycm, 16.2, "DLP 0.0162 Gy.cm");
    EXPECT_EQ(b.target_region, "");
    EXPECT_EQ(b.phantom, "");
}

TEST(DoseReport, ProjectionTreeTotalsAndBiplaneSum) {
    auto plane = [](const std::string& dap, const std::string& rp) {
        return container("113702", "Accumulated X-Ray Dose Data",
                         {num("113722", "Dose Area Product Total", dap, "dGy.cm2"),
                          num("113725", "Dose (RP) Total", rp, "mGy"),
                          container("113703", "Accumulated Fluoroscopy",  // not a total of ours
                                    {num("113726", "Fluoro Dose Area Product Total", "99", "Gy.m2")})});
    };
    auto event = [](const std::string& uid, const std::string& dap, const std::string& dap_unit) {
        return container("113706", "Irradiation Event X-Ray Data",
                         {code_item("113721", "Irradiation Event Type", "P5-06000", "Fluoroscopy"),
                          uidref(uid), num("122130", "Dose Area Product", dap, dap_unit),
                          num("113738", "Dose (RP)", "2.5", "mGy"),
                          code_item("123014", "Target Region", "T-D0010", "Entire body")});
    };
    // No ContentTemplateSequence, no procedure reported: the content says projection.
    auto body = document("113701", "X-Ray Radiation Dose Report",
                         {plane("126.596", "30.573"), plane("10", "1"), event("9.1", "1.6e-005", "Gym2"),
                          event("9.2", "1.323", "dGy.cm2"), event("9.3", "4", "uGy.m2")});
    auto report = extract_dose_report(walk_one(body, model::KeepAllFilter{}));
    ASSERT_TRUE(report.has_value());
    EXPECT_EQ(report->template_id, "10001");
    expect_value(report->dap_total_gym2, 126.596e-5 + 10e-5, "DAP total, two planes");
    expect_value(report->dose_rp_total_gy, 0.030573 + 0.001, "Dose (RP) total, two planes");
    EXPECT_FALSE(report->dlp_total_mgycm.has_value());
    ASSERT_EQ(report->events.size(), 3u);
    EXPECT_EQ(report->events[0].kind, "PROJECTION");
    EXPECT_EQ(report->events[0].event_uid, "9.1");
    expect_value(report->events[0].dap_gym2, 1.6e-5, "Gym2");
    expect_value(report->events[1].dap_gym2, 1.323e-5, "dGy.cm2");
    expect_value(report->events[2].dap_gym2, 4e-6, "uGy.m2");
    expect_value(report->events[2].dose_rp_gy, 0.0025, "Dose (RP) mGy");
    EXPECT_EQ(report->events[2].irradiation_event_type, "Fluoroscopy");
    EXPECT_EQ(report->events[2].target_region, "Entire body");
    EXPECT_FALSE(report->events[0].ctdivol_mgy.has_value());
}

TEST(DoseReport, TotalsOutsideContainersAndForeignCodes) {
    auto sct = [](const std::string& cv, const std::string& meaning, const std::string& value) {
        return item("NUM", concept_name(cv, meaning, "SCT") + "," +
                               seq("0040A300", {"\"0040A30A\":{\"vr\":\"DS\",\"Value\":[" + value + "]}," +
                                                seq("004008EA", {code("mGy", "UCUM", "mGy")})}));
    };
    auto walk = [](const std::string& body) { return walk_one(body, model::KeepAllFilter{}); };
    // A total written directly under the root (no accumulation container) still counts...
    auto loose = extract_dose_report(walk(document(
        "113701", "X-Ray Radiation Dose Report", {num("113813", "CT Dose Length Product Total", "55.5", "mGy.cm")})));
    ASSERT_TRUE(loose.has_value());
    EXPECT_EQ(loose->template_id, "10011");
    EXPECT_DOUBLE_EQ(loose->dlp_total_mgycm.value_or(-1), 55.5);
    // ...but is not added to the one of an accumulation container.
    auto both = extract_dose_report(walk(document(
        "113701", "X-Ray Radiation Dose Report",
        {num("113725", "Dose (RP) Total", "7", "mGy"),
         container("113702", "Accumulated X-Ray Dose Data", {num("113725", "Dose (RP) Total", "8", "mGy")})})));
    ASSERT_TRUE(both.has_value());
    expect_value(both->dose_rp_total_gy, 0.008, "container total only");
    EXPECT_EQ(both->template_id, "10001");
    // The digits of a DCM code under SNOMED are another concept; a meaning under a private
    // scheme is ours.
    auto foreign = extract_dose_report(walk(document(
        "113701", "X-Ray Radiation Dose Report",
        {container("113819", "CT Acquisition",
                   {sct("113830", "Something else", "1"),
                    item("NUM", concept_name("99-1", "Mean CTDIvol", "99PRIV") + "," +
                                    seq("0040A300", {"\"0040A30A\":{\"vr\":\"DS\",\"Value\":[2.5]}"}))})})));
    ASSERT_TRUE(foreign.has_value());
    ASSERT_EQ(foreign->events.size(), 1u);
    EXPECT_DOUBLE_EQ(foreign->events[0].ctdivol_mgy.value_or(-1), 2.5);  // no unit: the template's mGy
}

TEST(DoseReport, RecognisedByRootConceptOnly) {
    const auto walk = [](const std::string& body) { return walk_one(body, model::KeepAllFilter{}); };
    // A diagnostic report (Enhanced SR like a dose report) is not a dose report.
    EXPECT_FALSE(extract_dose_report(walk(document("18748-4", "Diagnostic Imaging Report", {}, ""))).has_value());
    // Radiopharmaceutical dose reports are another family.
    EXPECT_FALSE(extract_dose_report(walk(document("113500", "Radiopharmaceutical Radiation Dose Report", {})))
                     .has_value());
    // An image: no root concept at all.
    EXPECT_FALSE(extract_dose_report(walk("[{" + str_attr("00080060", "CS", "CT") + "}]")).has_value());
    EXPECT_FALSE(extract_dose_report(model::Instance{}).has_value());
    // The root concept's meaning in another spelling, under another scheme: still a dose report.
    auto other = walk("[{" + str_attr("0040A040", "CS", "CONTAINER") + "," +
                      concept_name("113701", "X-ray Radiation Dose Report", "99SD") + "}]");
    auto r = extract_dose_report(other);
    ASSERT_TRUE(r.has_value());
    EXPECT_TRUE(r->events.empty());
    auto by_meaning = walk("[{" + concept_name("", "X-ray  radiation-dose report", "99X") + "}]");
    EXPECT_TRUE(extract_dose_report(by_meaning).has_value());
    // A nested 113701 (a report quoted inside another document) does not make a dose report.
    EXPECT_FALSE(extract_dose_report(walk(document("18748-4", "Diagnostic Imaging Report",
                                                   {container("113701", "X-Ray Radiation Dose Report", {})})))
                     .has_value());
}

TEST(DoseReport, OddPathsAndValuesNeverThrow) {
    model::Instance inst;
    auto add = [&](std::string path, std::string text, double number = NAN) {
        model::Attribute a;
        a.path = std::move(path);
        a.text = std::move(text);
        a.number = number;
        inst.attributes.push_back(std::move(a));
    };
    add("ConceptNameCodeSequence[0].CodeValue", "113701");
    add("ContentSequence[", "x");
    add("ContentSequence[x].ConceptNameCodeSequence[0].CodeValue", "113819");
    add("ContentSequence[0]", "");
    add("ContentSequence[1].ContentSequence[", "");
    add("ContentSequence[2].ConceptNameCodeSequence[0].CodeValue", "113819");
    add("ContentSequence[2].ContentSequence[0].ConceptNameCodeSequence[0].CodeValue", "113830");
    add("ContentSequence[2].ContentSequence[0].MeasuredValueSequence[0].NumericValue", "inf", INFINITY);
    add("ContentSequence[2].ContentSequence[1].ConceptNameCodeSequence[0].CodeValue", "113838");
    add("ContentSequence[2].ContentSequence[1].MeasuredValueSequence[0].NumericValue", "n/a");
    add("ContentSequence[2].ContentSequence[2].ConceptNameCodeSequence[0].CodeValue", "122130");
    add("ContentSequence[2].ContentSequence[2].MeasuredValueSequence[0].NumericValue", "5", 5);
    add("ContentSequence[2].ContentSequence[2].MeasuredValueSequence[0].MeasurementUnitsCodeSequence[0].CodeValue",
        "furlongs");
    add("OtherContentSequence[0].ConceptNameCodeSequence[0].CodeValue", "113819");  // not a content item
    std::optional<DoseReport> r;
    EXPECT_NO_THROW(r = extract_dose_report(inst));
    ASSERT_TRUE(r.has_value());
    ASSERT_GE(r->events.size(), 1u);
    const DoseEvent& e = r->events.back();
    EXPECT_FALSE(e.ctdivol_mgy.has_value());
    EXPECT_FALSE(e.dlp_mgycm.has_value());
    EXPECT_FALSE(e.dap_gym2.has_value());  // a unit present but not understood
}

TEST(DoseUnits, ConvertsWhatVendorsWrite) {
    expect_value(convert_unit(724.52, "mGycm", "mGy.cm"), 724.52, "mGycm");
    EXPECT_DOUBLE_EQ(convert_unit(724.52, "mGy.cm", "mGy.cm").value_or(-1), 724.52);  // exact when the same
    expect_value(convert_unit(1.5, "Gy.cm", "mGy.cm"), 1500, "Gy.cm");
    expect_value(convert_unit(3, "mGy*cm", "mGy.cm"), 3, "mGy*cm");
    expect_value(convert_unit(2, "mGy.m", "mGy.cm"), 200, "mGy.m");
    expect_value(convert_unit(1.6e-5, "Gym2", "Gy.m2"), 1.6e-5, "Gym2");
    expect_value(convert_unit(126.596, "dGy.cm2", "Gy.m2"), 126.596e-5, "dGy.cm2");
    expect_value(convert_unit(7, "cGy.cm2", "Gy.m2"), 7e-6, "cGy.cm2");
    expect_value(convert_unit(7, "mGy.cm2", "Gy.m2"), 7e-7, "mGy.cm2");
    expect_value(convert_unit(7, "uGy.m2", "Gy.m2"), 7e-6, "uGy.m2");
    expect_value(convert_unit(7, "\xC2\xB5Gy.m2", "Gy.m2"), 7e-6, "µGy.m2");
    expect_value(convert_unit(7, "Gy.cm2", "Gy.m2"), 7e-4, "Gy.cm2");
    expect_value(convert_unit(7, "Gy*m^2", "Gy.m2"), 7, "Gy*m^2");
    expect_value(convert_unit(7, "Gy\xC2\xB7m\xC2\xB2", "Gy.m2"), 7, "Gy·m²");
    expect_value(convert_unit(2.52, "mGy", "Gy"), 0.00252, "mGy");
    expect_value(convert_unit(0.00252, "Gy", "mGy"), 2.52, "Gy");
    expect_value(convert_unit(3, "dGy", "Gy"), 0.3, "dGy");
    expect_value(convert_unit(3, "uGy", "mGy"), 0.003, "uGy");
    expect_value(convert_unit(3, " mGy ", "mGy"), 3, "padded");
    expect_value(convert_unit(4.3, "cm", "mm"), 43, "cm");
    expect_value(convert_unit(43, "mm", "mm"), 43, "mm");
    expect_value(convert_unit(0.043, "m", "mm"), 43, "m");
    // Not convertible: another quantity, not a unit, not a number.
    EXPECT_FALSE(convert_unit(1, "mGy", "mGy.cm").has_value());
    EXPECT_FALSE(convert_unit(1, "mGy.cm", "Gy.m2").has_value());
    EXPECT_FALSE(convert_unit(1, "mm", "mGy").has_value());
    EXPECT_FALSE(convert_unit(1, "mA", "mGy").has_value());
    EXPECT_FALSE(convert_unit(1, "MGy", "mGy").has_value());  // mega is no dose unit anyone writes
    EXPECT_FALSE(convert_unit(1, "{events}", "mGy").has_value());
    EXPECT_FALSE(convert_unit(1, "", "mGy").has_value());
    EXPECT_FALSE(convert_unit(1, "mGy", "").has_value());
    EXPECT_FALSE(convert_unit(1, "mGy.cm3", "mGy.cm").has_value());
    EXPECT_FALSE(convert_unit(NAN, "mGy", "mGy").has_value());
    EXPECT_FALSE(convert_unit(INFINITY, "mGy", "mGy").has_value());
}

// ---------------------------------------------------------------------------------------------
// The real reports (OpenREM's test files), converted with DCMTK's dcm2json

const std::string kOpenrem = std::string(DICOMLAKE_SOURCE_DIR) + "/../shared/data/dicom-samples/openrem/";
const std::string kSecret = "dose-test-secret-0123456789abcdefgh";

std::string shell_quote(const std::string& s) {
    std::string out = "'";
    for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

// DICOM JSON of one file (memoized: several tests read the same reports). Fails the test when
// dcm2json cannot convert it.
const std::string& dicom_json(const std::string& file) {
    static std::map<std::string, std::string> cache;
    auto found = cache.find(file);
    if (found != cache.end()) return found->second;
    const std::string cmd = "dcm2json -fc " + shell_quote(kOpenrem + file) + " 2>&1";
    std::string out;
    if (FILE* p = popen(cmd.c_str(), "r")) {
        std::array<char, 65536> buf{};
        size_t n;
        while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
        const int status = pclose(p);
        if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            ADD_FAILURE() << cmd << " failed:\n" << out.substr(0, 2000);
            out.clear();
        }
    } else {
        ADD_FAILURE() << "popen failed: " << cmd;
    }
    return cache.emplace(file, std::move(out)).first->second;
}

class DoseRealReports : public ::testing::Test {
protected:
    void SetUp() override {
        if (!std::filesystem::is_directory(kOpenrem))
            GTEST_SKIP() << "the real dose reports " << kOpenrem << " are absent (../shared beside the repository)";
    }
    static std::optional<DoseReport> read(const std::string& file) {
        const std::string& json = dicom_json(file);
        if (json.empty()) return std::nullopt;
        auto inst = walk_one(json, model::KeepAllFilter{});
        return extract_dose_report(inst);
    }
};

TEST_F(DoseRealReports, Dcm2jsonWritesTheDicomJsonModel) {
    const std::string& json = dicom_json("CT-RDSR-Siemens-Multi-1.dcm");
    EXPECT_NE(json.find("\"00080060\":{\"vr\":\"CS\",\"Value\":[\"SR\"]}"), std::string::npos)
        << "not PS3.18 F.2 DICOM JSON: " << json.substr(0, 300);
    auto inst = walk_one(json, model::KeepAllFilter{});
    const model::Attribute* root = inst.find("ConceptNameCodeSequence[0].CodeValue");
    ASSERT_NE(root, nullptr);
    EXPECT_EQ(root->text, "113701");
    // CT Accumulated Dose Data > CT Dose Length Product Total, flattened by keyword path.
    const model::Attribute* name =
        inst.find("ContentSequence[11].ContentSequence[1].ConceptNameCodeSequence[0].CodeValue");
    ASSERT_NE(name, nullptr);
    EXPECT_EQ(name->text, "113813");
    const model::Attribute* dlp =
        inst.find("ContentSequence[11].ContentSequence[1].MeasuredValueSequence[0].NumericValue");
    ASSERT_NE(dlp, nullptr);
    EXPECT_DOUBLE_EQ(dlp->number, 7.46);
}

TEST_F(DoseRealReports, SiemensFlashSingleSource) {  // units written 'mGycm'
    auto r = read("CT-RDSR-Siemens_Flash-TAP-SS.dcm");
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->template_id, "10011");
    EXPECT_DOUBLE_EQ(r->dlp_total_mgycm.value_or(-1), 724.52);
    ASSERT_EQ(r->events.size(), 4u);
    const double ctdi[] = {0.14, 1.2, 3.61, 9.91}, dlp[] = {11.51, 1.2, 3.61, 708.2};
    const char* type[] = {"Constant Angle Acquisition", "Stationary Acquisition", "Stationary Acquisition",
                          "Spiral Acquisition"};
    const char* region[] = {"Entire body", "Abdomen", "Abdomen", "Abdomen"};
    for (size_t i = 0; i < 4; ++i) {
        const DoseEvent& e = r->events[i];
        EXPECT_EQ(e.kind, "CT");
        EXPECT_EQ(e.event_uid, "1.3.6.1.4.1.5962.99.1.2662687737.2058515598.1471541535737." + std::to_string(4 + i) + ".0");
        EXPECT_DOUBLE_EQ(e.ctdivol_mgy.value_or(-1), ctdi[i]) << i;
        EXPECT_DOUBLE_EQ(e.dlp_mgycm.value_or(-1), dlp[i]) << i;
        EXPECT_EQ(e.acquisition_type, type[i]);
        EXPECT_EQ(e.target_region, region[i]);
        EXPECT_EQ(e.phantom, "IEC Body Dosimetry Phantom");
        EXPECT_FALSE(e.dap_gym2.has_value());
    }
}

TEST_F(DoseRealReports, SiemensCumulativeReportsOfOneStudy) {
    auto m1 = read("CT-RDSR-Siemens-Multi-1.dcm");
    auto m2 = read("CT-RDSR-Siemens-Multi-2.dcm");
    auto m3 = read("CT-RDSR-Siemens-Multi-3.dcm");
    ASSERT_TRUE(m1 && m2 && m3);
    EXPECT_DOUBLE_EQ(m1->dlp_total_mgycm.value_or(-1), 7.46);
    EXPECT_DOUBLE_EQ(m2->dlp_total_mgycm.value_or(-1), 77.27);
    EXPECT_DOUBLE_EQ(m3->dlp_total_mgycm.value_or(-1), 236.09);
    ASSERT_EQ(m1->events.size(), 1u);
    ASSERT_EQ(m2->events.size(), 2u);
    ASSERT_EQ(m3->events.size(), 3u);
    const double ctdi[] = {0.15, 8.13, 7.02}, dlp[] = {7.46, 69.81, 158.82};
    const char* uid_suffix[] = {".4.0", ".5.0", ".8.0"};
    for (size_t i = 0; i < 3; ++i) {
        EXPECT_DOUBLE_EQ(m3->events[i].ctdivol_mgy.value_or(-1), ctdi[i]) << i;
        EXPECT_DOUBLE_EQ(m3->events[i].dlp_mgycm.value_or(-1), dlp[i]) << i;
        EXPECT_EQ(m3->events[i].event_uid, std::string("1.3.6.1.4.1.5962.99.1.792239193.1702185591.1516915727449") +
                                                uid_suffix[i]);
        EXPECT_EQ(m3->events[i].target_region, "Chest");
    }
    EXPECT_EQ(m1->events[0].event_uid, m3->events[0].event_uid);
    EXPECT_EQ(m2->events[1].event_uid, m3->events[1].event_uid);
}

TEST_F(DoseRealReports, GePixelMedWithoutTargetRegionCodes) {
    auto r = read("CT-RDSR-GEPixelMed.dcm");
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->template_id, "10011");
    EXPECT_DOUBLE_EQ(r->dlp_total_mgycm.value_or(-1), 586.34);
    ASSERT_EQ(r->events.size(), 2u);
    EXPECT_DOUBLE_EQ(r->events[0].ctdivol_mgy.value_or(-1), 60.41);
    EXPECT_DOUBLE_EQ(r->events[1].ctdivol_mgy.value_or(-1), 222.59);
    EXPECT_DOUBLE_EQ(r->events[0].dlp_mgycm.value_or(-1), 475.04);
    EXPECT_DOUBLE_EQ(r->events[1].dlp_mgycm.value_or(-1), 111.30);
    EXPECT_EQ(r->events[0].phantom, "IEC Head Dosimetry Phantom");
    EXPECT_EQ(r->events[0].target_region, "");  // Target Region without ConceptCodeSequence
    EXPECT_EQ(r->events[1].acquisition_type, "Stationary Acquisition");
}

TEST_F(DoseRealReports, PhilipsBigBore) {  // empty ConceptCodeSequence
    auto r = read("CT-RDSR-Philips_BigBore4DCT.dcm");
    ASSERT_TRUE(r.has_value());
    EXPECT_DOUBLE_EQ(r->dlp_total_mgycm.value_or(-1), 541.1);
    ASSERT_EQ(r->events.size(), 1u);
    EXPECT_DOUBLE_EQ(r->events[0].ctdivol_mgy.value_or(-1), 23.7);
    EXPECT_DOUBLE_EQ(r->events[0].dlp_mgycm.value_or(-1), 541.1);
    EXPECT_EQ(r->events[0].acquisition_type, "Spiral Acquisition");
}

TEST_F(DoseRealReports, GeOptimaAsEnhancedSr) {
    auto r = read("CT-ESR-GE_Optima.dcm");
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->template_id, "10011");
    EXPECT_DOUBLE_EQ(r->dlp_total_mgycm.value_or(-1), 415.82);
    ASSERT_EQ(r->events.size(), 6u);
    for (size_t i : {0u, 1u, 3u, 4u}) {
        EXPECT_FALSE(r->events[i].ctdivol_mgy.has_value()) << i;  // localisers without CT Dose
        EXPECT_EQ(r->events[i].acquisition_type, "Constant Angle Acquisition") << i;
    }
    EXPECT_DOUBLE_EQ(r->events[2].ctdivol_mgy.value_or(-1), 3.23);
    EXPECT_DOUBLE_EQ(r->events[2].dlp_mgycm.value_or(-1), 155.97);
    EXPECT_DOUBLE_EQ(r->events[5].ctdivol_mgy.value_or(-1), 5.3);
    EXPECT_DOUBLE_EQ(r->events[5].dlp_mgycm.value_or(-1), 259.85);
}

TEST_F(DoseRealReports, ToshibaOneEventInThreeWithDose) {
    auto r = read("CT-RDSR-Toshiba_MultiValSD.dcm");
    ASSERT_TRUE(r.has_value());
    EXPECT_DOUBLE_EQ(r->dlp_total_mgycm.value_or(-1), 136.90);
    ASSERT_EQ(r->events.size(), 3u);
    EXPECT_FALSE(r->events[0].ctdivol_mgy.has_value());
    EXPECT_FALSE(r->events[1].ctdivol_mgy.has_value());
    EXPECT_DOUBLE_EQ(r->events[2].ctdivol_mgy.value_or(-1), 3.20);
    EXPECT_DOUBLE_EQ(r->events[2].dlp_mgycm.value_or(-1), 136.90);
    std::set<std::string> uids;
    for (const auto& e : r->events) uids.insert(e.event_uid);
    EXPECT_EQ(uids.size(), 3u);
}

TEST_F(DoseRealReports, SpectrumDynamicsRootSpelledDifferently) {
    // dsrdump rejects this file even in lenient mode (ValueType 'PERSON NAME'); the values below
    // were read with dcmdump and dsrdump -Ei (which skips the invalid subtrees).
    auto r = read("CT-RDSR-SpectrumDynamics.dcm");
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->template_id, "10011");
    EXPECT_DOUBLE_EQ(r->dlp_total_mgycm.value_or(-1), 187.339);
    ASSERT_EQ(r->events.size(), 5u);
    EXPECT_FALSE(r->events[0].ctdivol_mgy.has_value());
    const double ctdi[] = {10.7753, 12.7189, 14.3344, 16.2604}, dlp[] = {21.5506, 25.4378, 68.8053, 71.5456};
    for (size_t i = 0; i < 4; ++i) {
        EXPECT_DOUBLE_EQ(r->events[i + 1].ctdivol_mgy.value_or(-1), ctdi[i]) << i;
        EXPECT_DOUBLE_EQ(r->events[i + 1].dlp_mgycm.value_or(-1), dlp[i]) << i;
    }
    EXPECT_EQ(r->events[1].event_uid, "1.2.276.0.7230010.3.1.3.832332.1602599594.516.1451");
}

TEST_F(DoseRealReports, SiemensZeeFluoroscopy) {  // units 'Gym2'
    auto r = read("RF-RDSR-Siemens-Zee.dcm");
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->template_id, "10001");
    expect_value(r->dap_total_gym2, 1.6e-5, "DAP total");
    expect_value(r->dose_rp_total_gy, 0.00252, "Dose (RP) total");
    EXPECT_FALSE(r->dlp_total_mgycm.has_value());
    ASSERT_EQ(r->events.size(), 8u);
    const double dap[] = {1e-6, 1.2e-6, 1e-6, 2.5e-6, 3.8e-6, 2.3e-6, 3.8e-6, 4e-7};
    const double rp[] = {0.00014, 0.00019, 0.00014, 0.0004, 0.00059, 0.00036, 0.00061, 6e-5};
    for (size_t i = 0; i < 8; ++i) {
        const DoseEvent& e = r->events[i];
        EXPECT_EQ(e.kind, "PROJECTION");
        expect_value(e.dap_gym2, dap[i], "DAP " + std::to_string(i));
        expect_value(e.dose_rp_gy, rp[i], "Dose (RP) " + std::to_string(i));
        EXPECT_EQ(e.irradiation_event_type, "Fluoroscopy");
        EXPECT_EQ(e.target_region, "Entire body");
        EXPECT_FALSE(e.ctdivol_mgy.has_value());
    }
}

TEST_F(DoseRealReports, CanonUltimaxiUnitsNormalised) {  // dGy.cm2 and mGy
    auto r = read("RF-RDSR-Canon-Ultimaxi-mGyDoseAtRP.dcm");
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->template_id, "10001");
    expect_value(r->dap_total_gym2, 126.596e-5, "DAP total 126.596 dGy.cm2");
    expect_value(r->dose_rp_total_gy, 0.030573, "Dose (RP) total 30.573 mGy");
    ASSERT_EQ(r->events.size(), 18u);
    expect_value(r->events[0].dap_gym2, 1.323e-5, "DAP 1.323 dGy.cm2");
    expect_value(r->events[0].dose_rp_gy, 0.000384, "Dose (RP) 0.384 mGy");
    expect_value(r->events[17].dap_gym2, 3.442e-5, "DAP 3.442 dGy.cm2");
    expect_value(r->events[17].dose_rp_gy, 0.000704, "Dose (RP) 0.704 mGy");
    EXPECT_EQ(r->events[9].irradiation_event_type, "Stationary Acquisition");
}

TEST_F(DoseRealReports, CanonCxdiEmptyMeasuredValues) {
    auto r = read("DX-RDSR-Canon_CXDI_noDAP.dcm");
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->template_id, "10001");
    EXPECT_FALSE(r->dap_total_gym2.has_value());
    EXPECT_FALSE(r->dose_rp_total_gy.has_value());
    ASSERT_EQ(r->events.size(), 2u);
    for (const auto& e : r->events) {
        EXPECT_FALSE(e.dap_gym2.has_value());
        EXPECT_FALSE(e.dose_rp_gy.has_value());
        EXPECT_EQ(e.target_region, "Finger");
    }
    EXPECT_EQ(r->events[0].event_uid, "1.2.392.200046.100.14.671088917.20221024144743027");
    EXPECT_EQ(r->events[1].event_uid, "1.2.392.200046.100.14.671088917.20221024144855557");
}

TEST_F(DoseRealReports, HologicMammography) {
    auto r = read("MG-RDSR-Hologic_2D.dcm");
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->template_id, "10001");
    ASSERT_EQ(r->events.size(), 2u);
    EXPECT_DOUBLE_EQ(r->events[0].agd_mgy.value_or(-1), 1.30);
    EXPECT_DOUBLE_EQ(r->events[1].agd_mgy.value_or(-1), 1.28);
    for (const auto& e : r->events) {
        EXPECT_DOUBLE_EQ(e.compression_thickness_mm.value_or(-1), 43.0);
        EXPECT_EQ(e.target_region, "Breast");
        EXPECT_FALSE(e.dap_gym2.has_value());
    }
}

TEST_F(DoseRealReports, OtherStructuredReportsAreNotDoseReports) {
    EXPECT_FALSE(read("ESR_non-dose.dcm").has_value());             // Agfa diagnostic report
    EXPECT_FALSE(read("RF-ESR-Siemens-Varic.dcm").has_value());     // proprietary pre-RDSR summary
    EXPECT_FALSE(read("NM-RRDSR-Siemens-Extended.dcm").has_value());  // radiopharmaceutical dose
}

// The other reports of the folder: event counts and totals as dsrdump prints them.
TEST_F(DoseRealReports, CountsAndTotalsOfTheOtherReports) {
    const double none = NAN;
    struct Row {
        const char* file;
        const char* template_id;
        size_t events, with_ctdivol;
        double dlp_total, dap_total, rp_total;
    };
    const Row rows[] = {
        {"CT-ESR-GE_VCT.dcm", "10011", 27, 11, 2002.39, none, none},  // Enhanced SR, 'mGycm'
        {"CT-RDSR-Siemens-Continued-1.dcm", "10011", 2, 2, 60.17, none, none},
        {"CT-RDSR-Siemens-Continued-2.dcm", "10011", 2, 2, 56.44, none, none},
        {"CT-RDSR-ToshibaPixelMed.dcm", "10011", 3, 2, 349.70, none, none},
        {"CT-RDSR-Toshiba_DoseCheck.dcm", "10011", 2, 2, 502.40, none, none},
        {"NM-CT-RDSR-Siemens.dcm", "10011", 2, 2, 667.72, none, none},
        {"DX-RDSR-Canon_CXDI.dcm", "10001", 1, 0, none, 1.07e-5, none},  // Dose (RP) Total empty
        {"DX-RDSR-Carestream_DRXEvolution.dcm", "10001", 5, 0, none, 0.00000580999970, 0.00029927175492},
        {"RF-RDSR-GE.dcm", "10001", 8, 0, none, 0.00024126, 0.01173170},
        {"RF-RDSR-Canon-Alphenix-rotational.dcm", "10001", 49, 0, none, 0.0003152200, 0.012722},
        {"RF-RDSR-Philips_Azurion.dcm", "10001", 89, 0, none, 0.00247409, 0.54837},
        {"MG-RDSR-GEPristina-2D.dcm", "10001", 8, 0, none, none, none},
        {"MG-RDSR-Giotto-DBT.dcm", "10001", 4, 0, none, none, none},  // Explicit VR Big Endian
    };
    auto expect_total = [](const std::optional<double>& actual, double expected, const std::string& what) {
        if (std::isnan(expected))
            EXPECT_FALSE(actual.has_value()) << what;
        else
            expect_value(actual, expected, what);
    };
    for (const Row& row : rows) {
        SCOPED_TRACE(row.file);
        auto r = read(row.file);
        ASSERT_TRUE(r.has_value());
        EXPECT_EQ(r->template_id, row.template_id);
        EXPECT_EQ(r->events.size(), row.events);
        size_t with_ctdivol = 0;
        for (const auto& e : r->events) {
            with_ctdivol += e.ctdivol_mgy.has_value();
            EXPECT_FALSE(e.event_uid.empty());
            EXPECT_EQ(e.kind, std::string(row.template_id) == "10011" ? "CT" : "PROJECTION");
        }
        EXPECT_EQ(with_ctdivol, row.with_ctdivol);
        expect_total(r->dlp_total_mgycm, row.dlp_total, "DLP total");
        expect_total(r->dap_total_gym2, row.dap_total, "DAP total");
        expect_total(r->dose_rp_total_gy, row.rp_total, "Dose (RP) total");
    }
}

// The same extraction through the shipped de-identification policy: values survive, event UIDs
// are pseudonyms, distinct within a report and the same for one event across the cumulative
// reports of one study.
TEST_F(DoseRealReports, SurvivesDeidentification) {
    deid::Pseudonymizer pseudonymizer(kSecret, 1);
    deid::Policy policy(pseudonymizer, deid::ProfileOptions::defaults());
    std::map<std::string, std::vector<std::string>> pseudonyms;  // file -> event UIDs
    for (const char* file :
         {"CT-RDSR-Siemens-Multi-1.dcm", "CT-RDSR-Siemens-Multi-2.dcm", "CT-RDSR-Siemens-Multi-3.dcm",
          "CT-RDSR-Siemens_Flash-TAP-SS.dcm", "CT-RDSR-GEPixelMed.dcm", "CT-ESR-GE_Optima.dcm",
          "CT-RDSR-Toshiba_MultiValSD.dcm", "CT-RDSR-SpectrumDynamics.dcm", "RF-RDSR-Siemens-Zee.dcm",
          "RF-RDSR-Canon-Ultimaxi-mGyDoseAtRP.dcm", "DX-RDSR-Canon_CXDI_noDAP.dcm", "MG-RDSR-Hologic_2D.dcm"}) {
        SCOPED_TRACE(file);
        auto plain = read(file);
        const std::string& json = dicom_json(file);
        if (json.empty()) continue;
        auto deidentified = extract_dose_report(walk_one(json, policy));
        ASSERT_TRUE(plain.has_value());
        ASSERT_TRUE(deidentified.has_value());
        EXPECT_EQ(deidentified->template_id, plain->template_id);
        EXPECT_EQ(deidentified->dlp_total_mgycm, plain->dlp_total_mgycm);
        EXPECT_EQ(deidentified->dap_total_gym2, plain->dap_total_gym2);
        EXPECT_EQ(deidentified->dose_rp_total_gy, plain->dose_rp_total_gy);
        ASSERT_EQ(deidentified->events.size(), plain->events.size());
        std::set<std::string> distinct;
        for (size_t i = 0; i < plain->events.size(); ++i) {
            const DoseEvent& p = plain->events[i];
            const DoseEvent& d = deidentified->events[i];
            EXPECT_EQ(d.kind, p.kind) << i;
            EXPECT_EQ(d.ctdivol_mgy, p.ctdivol_mgy) << i;
            EXPECT_EQ(d.dlp_mgycm, p.dlp_mgycm) << i;
            EXPECT_EQ(d.dap_gym2, p.dap_gym2) << i;
            EXPECT_EQ(d.dose_rp_gy, p.dose_rp_gy) << i;
            EXPECT_EQ(d.agd_mgy, p.agd_mgy) << i;
            EXPECT_EQ(d.compression_thickness_mm, p.compression_thickness_mm) << i;
            EXPECT_EQ(d.phantom, p.phantom) << i;
            EXPECT_EQ(d.target_region, p.target_region) << i;
            EXPECT_EQ(d.acquisition_type, p.acquisition_type) << i;
            EXPECT_EQ(d.irradiation_event_type, p.irradiation_event_type) << i;
            ASSERT_FALSE(p.event_uid.empty()) << i;
            EXPECT_NE(d.event_uid, p.event_uid) << i;
            EXPECT_EQ(d.event_uid, pseudonymizer.uid(p.event_uid)) << i;
            EXPECT_EQ(d.event_uid.rfind("2.25.", 0), 0u) << d.event_uid;
            distinct.insert(d.event_uid);
            pseudonyms[file].push_back(d.event_uid);
        }
        EXPECT_EQ(distinct.size(), plain->events.size()) << "event pseudonyms collide";
    }
    const auto& m1 = pseudonyms["CT-RDSR-Siemens-Multi-1.dcm"];
    const auto& m2 = pseudonyms["CT-RDSR-Siemens-Multi-2.dcm"];
    const auto& m3 = pseudonyms["CT-RDSR-Siemens-Multi-3.dcm"];
    ASSERT_EQ(m1.size(), 1u);
    ASSERT_EQ(m2.size(), 2u);
    ASSERT_EQ(m3.size(), 3u);
    EXPECT_EQ(m1[0], m2[0]);
    EXPECT_EQ(m1[0], m3[0]);
    EXPECT_EQ(m2[1], m3[1]);
    EXPECT_NE(m3[2], m3[1]);
}

}  // namespace
}  // namespace dicomlake::normalize
