// Real vendor files (pydicom's Debian-shipped files, and ../shared/data/dicom-samples when it
// is beside the repository) through Orthanc and dicomlake, checked against DCMTK reading the
// same files directly.
#include <dirent.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <sys/stat.h>

#include <dcmtk/oflog/oflog.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>

#include "deid/pseudonym.hpp"
#include "report/build.hpp"
#include "warehouse/ledger.hpp"
#include "dicom_reader.hpp"
#include "harness.hpp"

namespace dicomlake::testing {
namespace {

constexpr const char* kDatabase = "realfiles";


std::string db_url_for(const std::string& database) {
    std::string url = Lab::instance().db_url();
    return url.substr(0, url.rfind('/') + 1) + database;
}

bool real_date(const std::string& d) {
    if (d.size() != 8) return false;
    for (char c : d)
        if (c < '0' || c > '9') return false;
    return true;
}

std::string iso(const std::string& d) { return d.substr(0, 4) + "-" + d.substr(4, 2) + "-" + d.substr(6, 2); }

nlohmann::json orthanc_get(const std::string& path) {
    Lab& lab = Lab::instance();
    auto r = run_shell("curl -sf -u " + shell_quote("dicomlake:" + lab.orthanc_password()) + " " +
                       shell_quote(lab.environment().at("DICOMLAKE_PACS_URL").substr(
                                       0, lab.environment().at("DICOMLAKE_PACS_URL").rfind("/dicom-web")) +
                                   path));
    if (r.exit_code != 0) throw std::runtime_error("Orthanc REST " + path + " failed: " + r.output);
    return nlohmann::json::parse(r.output);
}

// HTTP status of WADO-RS study metadata, asked with curl (not with dicomlake's client).
int metadata_status(const std::string& study_uid) {
    Lab& lab = Lab::instance();
    auto r = run_shell("curl -s -o /dev/null -w '%{http_code}' -H 'Accept: application/dicom+json' -u " +
                       shell_quote("dicomlake:" + lab.orthanc_password()) + " " +
                       shell_quote(lab.pacs_url() + "/studies/" + study_uid + "/metadata"));
    return std::atoi(r.output.c_str());
}

class RealFiles : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        OFLog::configure(OFLogger::FATAL_LOG_LEVEL);  // DCMTK: broken test files are expected
        auto t0 = std::chrono::steady_clock::now();
        auto elapsed = [&t0] {
            return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        };
        std::vector<std::string> roots = pydicom_dirs();
        std::string shared = shared_samples_dir();
        if (!shared.empty()) roots.push_back(shared);
        if (roots.empty()) return;
        Lab& lab = Lab::instance();
        auto rejected_list = lab.seed(roots, true);
        std::set<std::string> rejected(rejected_list.begin(), rejected_list.end());
        std::fprintf(stderr, "[RealFiles] seeded in %.1f s\n", elapsed());

        std::vector<std::string> files;
        for (const auto& r : roots) list_files(r, files);
        for (const auto& f : files) {
            if (rejected.count(f)) continue;
            auto facts = read_facts(f);
            if (facts && !facts->series_uid.empty()) facts_.push_back(*facts);
        }

        // What the PACS holds of these files, from Orthanc's own REST API (not DICOMweb):
        // studies with a real StudyDate, since dicomlake lists studies by date.
        std::map<std::string, std::string> study_of_orthanc_id;
        for (const auto& study : orthanc_get("/studies?expand")) {
            std::string date = study["MainDicomTags"].value("StudyDate", "");
            if (date.size() == 10 && date[4] == '.' && date[7] == '.')  // ACR-NEMA style, still a date
                date = date.substr(0, 4) + date.substr(5, 2) + date.substr(8, 2);
            std::string study_uid = study["MainDicomTags"].value("StudyInstanceUID", "");
            // Studies the project's generators put in the same PACS for other suites are not ours.
            if (!real_date(date) || study_uid.rfind("1.2.826.0.1.3680043.10.1234.", 0) == 0 ||
                study_uid.rfind("1.2.826.0.1.3680043.10.9999.", 0) == 0)
                continue;
            if (from_.empty() || date < from_) from_ = date;
            if (to_.empty() || date > to_) to_ = date;
            served_study_count_[study_uid]++;
            study_of_orthanc_id[study["ID"].get<std::string>()] = study_uid;
        }
        for (const auto& series : orthanc_get("/series?expand")) {
            auto it = study_of_orthanc_id.find(series["ParentStudy"].get<std::string>());
            if (it != study_of_orthanc_id.end())
                pacs_series_[series["MainDicomTags"].value("SeriesInstanceUID", "")] = it->second;
        }
        if (from_.empty()) return;

        lab.fresh_database(kDatabase);
        // The default profile plus institution identity (non-ASCII institution names are checked).
        std::map<std::string, std::string> env = {
            {"DICOMLAKE_DB_URL", db_url_for(kDatabase)},
            {"DICOMLAKE_DEID_OPTIONS",
             "retain-device-identity,retain-patient-characteristics,retain-long-modified-dates,"
             "clean-descriptors,clean-structured-content,retain-institution-identity"}};
        auto m = lab.dicomlake("migrate", env);
        if (m.exit_code != 0) throw std::runtime_error("migrate failed: " + m.output);
        std::string args = "backfill --from " + iso(from_) + " --to " + iso(to_);
        first_ = lab.dicomlake(args, env);
        std::fprintf(stderr, "[RealFiles] first backfill %s..%s done at %.1f s\n", from_.c_str(), to_.c_str(), elapsed());
        before_ = table_digest();
        second_ = lab.dicomlake(args, env);
        after_ = table_digest();
        std::fprintf(stderr, "[RealFiles] second backfill done at %.1f s\n", elapsed());
    }

    static std::string table_digest() {
        pqxx::connection c(db_url_for(kDatabase));
        pqxx::work tx(c);
        return tx.exec1("SELECT count(*)::text || ':' || md5(coalesce(string_agg(t::text, '|' ORDER BY study_key, "
                        "series_key), '')) FROM dicomlake.series t")[0]
            .as<std::string>();
    }

    static pqxx::result query(const std::string& sql) {
        pqxx::connection c(db_url_for(kDatabase));
        pqxx::work tx(c);
        return tx.exec(sql);
    }

    void SetUp() override {
        if (from_.empty()) GTEST_SKIP() << "no real DICOM files here (python3-pydicom not installed and "
                                           "../shared/data/dicom-samples absent)";
    }

    static std::string pseudo(const std::string& uid) { return deid::Pseudonymizer(Lab::instance().key(), 1).uid(uid); }

    static inline std::vector<FileFacts> facts_;
    static inline std::map<std::string, std::string> pacs_series_;  // series uid -> study uid
    static inline std::map<std::string, int> served_study_count_;   // study uid -> Orthanc studies
    static inline std::string from_, to_;
    static inline CommandResult first_, second_;
    static inline std::string before_, after_;
};

TEST_F(RealFiles, EverySeriesThePacsCanServeIsLoadedExactlyOnce) {
    std::map<std::string, std::string> failed;  // ledger_key -> reason
    for (const auto& r : query("SELECT ledger_key, reason FROM dicomlake.study_status WHERE state = 'failed'"))
        failed[r[0].as<std::string>()] = r[1].as<std::string>();
    std::map<std::string, int> loaded;
    for (const auto& r : query("SELECT series_key, count(*) FROM dicomlake.series GROUP BY series_key"))
        loaded[r[0].as<std::string>()] = r[1].as<int>();

    size_t expected = 0;
    std::set<std::string> expected_keys;
    for (const auto& [series_uid, study_uid] : pacs_series_) {
        std::string study_key = pseudo(study_uid);
        if (auto f = failed.find(warehouse::ledger_key(deid::Pseudonymizer(Lab::instance().key(), 1), study_key));
            f != failed.end()) {
            // Only a study the PACS cannot serve may fail (one without PatientID loads as its
            // own pseudo-patient): ask the PACS directly.
            EXPECT_NE(metadata_status(study_uid), 200) << "study " << study_key << " failed: " << f->second;
            continue;
        }
        ++expected;
        expected_keys.insert(pseudo(series_uid));
        auto it = loaded.find(pseudo(series_uid));
        ASSERT_NE(it, loaded.end()) << "series of study " << study_key << " not loaded";
        EXPECT_EQ(it->second, 1);
    }
    EXPECT_EQ(loaded.size(), expected);
    for (const auto& [key, n] : loaded)
        if (!expected_keys.count(key)) {
            auto r = query("SELECT study_date::text, modality, series_description FROM dicomlake.v_series "
                           "WHERE series_key = '" + key + "'");
            ADD_FAILURE() << "loaded a series the PACS does not list for the window: " << key << " "
                          << r[0][0].c_str() << " " << r[0][1].c_str() << " " << r[0][2].c_str();
        }
    EXPECT_GT(expected, 20u);
    EXPECT_EQ(first_.exit_code, failed.empty() ? 0 : 3) << first_.output;
}

TEST_F(RealFiles, StudiesWithoutPatientIdLoadAsTheirOwnPseudoPatient) {
    // From the files (DCMTK): a study is without PatientID when none of its files has one. Only
    // studies the PACS lists by date count (served_study_count_: a real StudyDate).
    std::map<std::string, bool> without;  // study uid -> no file has a PatientID
    for (const auto& f : facts_) {
        if (!served_study_count_.count(f.study_uid)) continue;
        bool none = f.patient_id.find_first_not_of(' ') == std::string::npos;
        auto it = without.find(f.study_uid);
        without[f.study_uid] = (it == without.end() || it->second) && none;
    }
    std::map<std::string, std::pair<bool, std::string>> loaded;  // study_key -> (pseudo_patient, patient_key)
    for (const auto& r : query("SELECT study_key, pseudo_patient, coalesce(patient_key, '') FROM dicomlake.study"))
        loaded[r[0].as<std::string>()] = {r[1].as<bool>(), r[2].as<std::string>()};
    size_t pseudo_patients = 0;
    std::set<std::string> pseudo_keys;
    for (const auto& [study_uid, none] : without) {
        auto it = loaded.find(pseudo(study_uid));
        if (it == loaded.end()) {
            if (none) EXPECT_NE(metadata_status(study_uid), 200) << "a study without PatientID was not loaded";
            continue;
        }
        EXPECT_EQ(it->second.first, none) << it->first;
        EXPECT_FALSE(it->second.second.empty()) << it->first;  // every study has a patient key
        if (none) {
            ++pseudo_patients;
            EXPECT_TRUE(pseudo_keys.insert(it->second.second).second) << "two studies share a pseudo-patient";
        }
    }
    std::fprintf(stderr, "[RealFiles] %zu studies without PatientID loaded as pseudo-patients\n", pseudo_patients);
    EXPECT_GT(pseudo_patients, 0u) << "the real samples include studies without PatientID";
}

TEST_F(RealFiles, ModalityAndNexMatchAnIndependentReader) {
    // Per series, what DCMTK reads from the files; series whose files disagree are left out.
    struct Seen {
        std::set<std::string> modality;
        std::set<std::string> nex;
        bool enhanced = false;
    };
    std::map<std::string, Seen> by_series;
    for (const auto& f : facts_) {
        auto& s = by_series[f.series_uid];
        s.modality.insert(f.modality);
        s.nex.insert(f.nex ? std::to_string(*f.nex) : "none");
        s.enhanced = s.enhanced || f.enhanced_groups;
    }
    std::map<std::string, std::pair<std::string, std::optional<double>>> db;
    for (const auto& r : query("SELECT series_key, coalesce(modality, ''), nex FROM dicomlake.series"))
        db[r[0].as<std::string>()] = {r[1].as<std::string>(),
                                      r[2].is_null() ? std::nullopt : std::optional<double>(r[2].as<double>())};
    size_t compared = 0, with_nex = 0, enhanced = 0;
    for (const auto& [uid, seen] : by_series) {
        auto it = db.find(pseudo(uid));
        if (it == db.end() || seen.modality.size() != 1 || seen.nex.size() != 1) continue;
        ++compared;
        EXPECT_EQ(it->second.first, *seen.modality.begin()) << "series " << it->first;
        if (*seen.nex.begin() == "none") {
            EXPECT_FALSE(it->second.second.has_value()) << "series " << it->first;
        } else {
            ++with_nex;
            ASSERT_TRUE(it->second.second.has_value()) << "series " << it->first << " lost its NEX";
            EXPECT_EQ(std::to_string(*it->second.second), *seen.nex.begin()) << "series " << it->first;
            if (seen.enhanced) ++enhanced;
        }
    }
    EXPECT_GT(compared, 20u);
    EXPECT_GT(with_nex, 3u);
    if (!shared_samples_dir().empty()) {
        EXPECT_GT(enhanced, 0u) << "the shared samples hold enhanced MR with NEX in functional groups";
    }
}

TEST_F(RealFiles, NonAsciiTextMatchesAnIndependentReader) {
    // Institution names and series descriptions in Arabic, Chinese, Cyrillic, Latin-1...: what
    // DCMTK decodes from each file's SpecificCharacterSet must arrive in PostgreSQL as UTF-8.
    std::map<std::string, std::pair<std::string, std::string>> db;
    for (const auto& r : query("SELECT series_key, coalesce(institution, ''), coalesce(series_description, '')"
                               " FROM dicomlake.series"))
        db[r[0].as<std::string>()] = {r[1].as<std::string>(), r[2].as<std::string>()};
    auto non_ascii = [](const std::string& s) {
        for (unsigned char c : s)
            if (c >= 0x80) return true;
        return false;
    };
    size_t compared = 0;
    for (const auto& f : facts_) {
        auto it = db.find(pseudo(f.series_uid));
        if (it == db.end()) continue;
        if (non_ascii(f.institution_utf8)) {
            EXPECT_EQ(it->second.first, f.institution_utf8) << "series " << it->first;
            ++compared;
        }
        if (non_ascii(f.series_description_utf8)) {
            EXPECT_EQ(it->second.second, f.series_description_utf8) << "series " << it->first;
            ++compared;
        }
    }
    if (compared == 0 && shared_samples_dir().empty())
        GTEST_SKIP() << "pydicom's files carry non-ASCII text only in person names, which are removed; the "
                        "vendor files of ../shared/data/dicom-samples (absent here) carry it in other attributes";
    EXPECT_GT(compared, 0u) << "no non-ASCII institution or series description among the real files";
}

TEST_F(RealFiles, CtDoseReportsAsTheFilesHoldThem) {
    if (shared_samples_dir().empty()) GTEST_SKIP() << "the vendor dose reports are in ../shared/data/dicom-samples, absent here";
    auto study_of = [](const std::string& file) {
        auto f = read_facts(shared_samples_dir() + "/openrem/" + file);
        return f ? pseudo(f->study_uid) : std::string();
    };
    auto dlp = [&](const std::string& key) -> std::optional<double> {
        auto r = query("SELECT dlp_total_mgycm FROM dicomlake.v_ct_dose_study WHERE study_key = '" + key + "'");
        if (r.empty() || r[0][0].is_null()) return std::nullopt;
        return r[0][0].as<double>();
    };
    auto flash = dlp(study_of("CT-RDSR-Siemens_Flash-TAP-SS.dcm"));
    ASSERT_TRUE(flash.has_value());
    EXPECT_NEAR(*flash, 724.52, 1e-6);
    // Three cumulative reports of one study: one set of events, the total of the last.
    std::string multi = study_of("CT-RDSR-Siemens-Multi-3.dcm");
    EXPECT_EQ(multi, study_of("CT-RDSR-Siemens-Multi-1.dcm"));
    auto events = query("SELECT ctdivol_mgy FROM dicomlake.v_ct_dose_event WHERE study_key = '" + multi + "' ORDER BY ordinal");
    ASSERT_EQ(events.size(), 3u);
    EXPECT_NEAR(events[0][0].as<double>(), 0.15, 1e-9);
    EXPECT_NEAR(events[1][0].as<double>(), 8.13, 1e-9);
    EXPECT_NEAR(events[2][0].as<double>(), 7.02, 1e-9);
    auto m = dlp(multi);
    ASSERT_TRUE(m.has_value());
    EXPECT_NEAR(*m, 236.09, 0.011);
    // A structured report that is not a dose report yields no dose.
    EXPECT_FALSE(dlp(study_of("ESR_non-dose.dcm")).has_value());
    // A CT study without a dose report: CTDIvol from the image headers.
    std::string header_only = study_of("CT-SC-Philips_Brilliance16P.dcm");
    auto h = query("SELECT d.source, d.ctdivol_max_mgy, (SELECT max(ctdivol_mgy) FROM dicomlake.series s"
                   " WHERE s.study_key = d.study_key) FROM dicomlake.v_ct_dose_study d WHERE d.study_key = '" +
                   header_only + "'");
    ASSERT_EQ(h.size(), 1u);
    EXPECT_EQ(h[0][0].as<std::string>(), "IMAGE_HEADER");
    ASSERT_FALSE(h[0][2].is_null());
    EXPECT_DOUBLE_EQ(h[0][1].as<double>(), h[0][2].as<double>());
}

TEST_F(RealFiles, MammographyAndProjectionDose) {
    if (shared_samples_dir().empty()) GTEST_SKIP() << "the vendor mammography files are in ../shared, absent here";
    auto series_of = [](const std::string& file) {
        auto f = read_facts(shared_samples_dir() + "/openrem/" + file);
        return f ? std::make_pair(pseudo(f->study_uid), pseudo(f->series_uid)) : std::make_pair(std::string(), std::string());
    };
    // GE Senographe header: OrganDose 0.00547 dGy, EntranceDoseInmGy 1.694, 20 mm, 30 N, 26 kVp, Mo/Mo, CC.
    auto [study, series] = series_of("MG-Im-GE_Seno_1_ForPresentation.dcm");
    auto h = query("SELECT agd_mgy, entrance_dose_mgy, compression_thickness_mm, compression_force_n, kvp, anode,"
                   " view_position FROM dicomlake.v_mammo_dose_view WHERE series_key = '" + series + "'");
    ASSERT_EQ(h.size(), 1u);
    EXPECT_NEAR(h[0][0].as<double>(), 0.547, 1e-9);
    EXPECT_NEAR(h[0][1].as<double>(), 1.694, 1e-9);
    EXPECT_NEAR(h[0][2].as<double>(), 20, 1e-9);
    EXPECT_NEAR(h[0][3].as<double>(), 30, 1e-9);
    EXPECT_NEAR(h[0][4].as<double>(), 26, 1e-9);
    EXPECT_EQ(h[0][5].as<std::string>(), "MOLYBDENUM");
    EXPECT_EQ(h[0][6].as<std::string>(), "CC");
    // Hologic dose report: AGD 1.30 and 1.28 mGy, compressed thickness 43 mm.
    auto hologic = series_of("MG-RDSR-Hologic_2D.dcm").first;
    auto r = query("SELECT agd_mgy, compression_thickness_mm FROM dicomlake.v_mammo_dose_view WHERE source = 'RDSR'"
                   " AND study_key = '" + hologic + "' ORDER BY agd_mgy DESC");
    ASSERT_EQ(r.size(), 2u);
    EXPECT_NEAR(r[0][0].as<double>(), 1.30, 1e-9);
    EXPECT_NEAR(r[1][0].as<double>(), 1.28, 1e-9);
    EXPECT_NEAR(r[0][1].as<double>(), 43, 1e-9);
    // Siemens Artis zee fluoroscopy report: DAP total 1.6e-05 Gy.m2, Dose (RP) total 2.52 mGy, 8 events.
    auto zee = series_of("RF-RDSR-Siemens-Zee.dcm").first;
    auto x = query("SELECT dap_total_gym2, dose_rp_total_gy, event_count FROM dicomlake.v_xray_dose_study"
                   " WHERE study_key = '" + zee + "'");
    ASSERT_EQ(x.size(), 1u);
    EXPECT_NEAR(x[0][0].as<double>(), 1.6e-05, 1e-12);
    EXPECT_NEAR(x[0][1].as<double>(), 0.00252, 1e-12);
    EXPECT_EQ(x[0][2].as<int>(), 8);
}

// The report's mammography section on the vendor files: the GE Senographe view (20 mm, 0.547 mGy;
// its For Presentation and For Processing images are two series of one exposure, so two points)
// and the Hologic dose report's two views (43 mm, 1.30 and 1.28 mGy) are points of the scatter,
// as the files hold them.
TEST_F(RealFiles, ReportPlotsTheMammographyViewsAsTheFilesHoldThem) {
    if (shared_samples_dir().empty()) GTEST_SKIP() << "the vendor mammography files are in ../shared, absent here";
    pqxx::connection c(db_url_for(kDatabase));
    report::Options o;
    o.date = to_.substr(0, 4) + "-" + to_.substr(4, 2) + "-" + to_.substr(6, 2);  // to_ is YYYYMMDD
    o.days = 90;
    auto r = report::build(c, o);
    auto section = std::find_if(r.sections.begin(), r.sections.end(), [](const auto& s) { return s.id == "mammo-fluoro"; });
    ASSERT_NE(section, r.sections.end());
    ASSERT_TRUE(section->empty_reason.empty()) << section->empty_reason;
    auto chart = std::find_if(section->charts.begin(), section->charts.end(),
                              [](const auto& ch) { return ch.id == "mammo_agd_thickness"; });
    ASSERT_NE(chart, section->charts.end());
    std::multiset<std::pair<double, double>> points;
    for (const auto& series : std::get<report::chart::Scatter>(chart->spec).series)
        for (const auto& p : series.points) points.insert({std::round(p.x * 1000) / 1000, std::round(p.y * 1000) / 1000});
    EXPECT_EQ(points.count({20.0, 0.547}), 2u);
    EXPECT_EQ(points.count({43.0, 1.30}), 1u);
    EXPECT_EQ(points.count({43.0, 1.28}), 1u);
}

TEST_F(RealFiles, ReRunChangesNothing) {
    EXPECT_EQ(second_.exit_code, first_.exit_code) << second_.output;
    EXPECT_EQ(before_, after_);
}

// The same files through the files source: every series the PACS served is loaded from the
// files with the same row: every column equal, and the same attributes in the jsonb. Values of
// attributes may differ where Orthanc's DICOM JSON alters them (docs/sources.md: malformed
// numbers it writes as null, doubles it rounds, ISO 2022 text): those are counted. Every series
// is imported, the Japanese ones (ISO 2022 IR 87, which Debian's DCMTK cannot convert) too.
TEST_F(RealFiles, ImportingTheSameFilesGivesTheSeriesRowsDicomwebLoaded) {
    Lab& lab = Lab::instance();
    std::vector<std::string> roots = pydicom_dirs();
    if (!shared_samples_dir().empty()) roots.push_back(shared_samples_dir());
    lab.fresh_database("realfiles_import");
    std::map<std::string, std::string> env = {
        {"DICOMLAKE_DB_URL", db_url_for("realfiles_import")},
        {"DICOMLAKE_DEID_OPTIONS",
         "retain-device-identity,retain-patient-characteristics,retain-long-modified-dates,"
         "clean-descriptors,clean-structured-content,retain-institution-identity"}};
    ASSERT_EQ(lab.dicomlake("migrate", env).exit_code, 0);
    std::string paths;
    for (const auto& r : roots) paths += " " + shell_quote(r);
    auto imported = lab.dicomlake("import" + paths, env);
    EXPECT_TRUE(imported.exit_code == 0 || imported.exit_code == 3) << imported.output;  // ok or partial

    auto rows = [](const std::string& db) {
        pqxx::connection c(db_url_for(db));
        pqxx::work tx(c);
        std::map<std::string, std::pair<std::string, std::string>> out;  // columns and keys, values
        for (const auto& r : tx.exec("SELECT study_key || '/' || series_key,"
                                     " (to_jsonb(t) - 'attributes' - 'varying')::text || ' keys '"
                                     " || (SELECT coalesce(array_agg(k ORDER BY k), '{}') FROM jsonb_object_keys(t.attributes) k)::text"
                                     " || ' varying ' || t.varying::text, t.attributes::text FROM dicomlake.series t"))
            out[r[0].as<std::string>()] = {r[1].as<std::string>(), r[2].as<std::string>()};
        return out;
    };
    auto web = rows(kDatabase);
    auto files = rows("realfiles_import");
    ASSERT_FALSE(web.empty());
    size_t missing = 0, differ = 0, values_differ = 0;
    for (const auto& [key, row] : web) {
        auto it = files.find(key);
        if (it == files.end()) {
            ++missing;
            std::fprintf(stderr, "[RealFiles] not imported: %s\n", key.c_str());
        } else if (it->second.first != row.first && row.first.find("\u00a5") != std::string::npos) {
            // ISO 2022 IR 13: Orthanc turns the value delimiter (byte 5C) into a Yen sign and
            // keeps one value; PS3.5 6.1.2.5.3 says 5C delimits values whatever the character set.
            ++values_differ;
        } else if (it->second.first != row.first) {
            ++differ;
            std::fprintf(stderr, "[RealFiles] differs: %s\n  web:   %s\n  files: %s\n", key.c_str(),
                         row.first.c_str(), it->second.first.c_str());
        } else if (it->second.second != row.second) {
            ++values_differ;
        }
    }
    std::fprintf(stderr,
                 "[RealFiles] %zu series through DICOMweb, %zu through files: %zu missing, %zu rows differ, %zu differ "
                 "in attribute values only\n",
                 web.size(), files.size(), missing, differ, values_differ);
    EXPECT_EQ(imported.output.find("cannot be converted to UTF-8"), std::string::npos) << imported.output;
    EXPECT_EQ(missing, 0u);
    EXPECT_EQ(differ, 0u);
}

}  // namespace
}  // namespace dicomlake::testing
