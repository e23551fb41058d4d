// Leak tests: nothing identifying may reach the warehouse (pg_dump --data-only) or the output
// of the commands (logs, status), in clear or as an unkeyed MD5 / SHA-1 / SHA-256 hex digest.
//  - Generated canaries (dicomlake-canarygen): a unique value in every attribute of PS3.15
//    Table E.1-1 that the default profile removes, replaces or cleans, at sequence depths 0-3,
//    in private blocks, SR content items, descriptors, dates and UIDs; the analytic values
//    next to them must survive.
//  - Real files (pydicom's, ../shared/data/dicom-samples): their patients' names, IDs,
//    accession numbers, birth dates and UIDs.
//  - Determinism: the same key gives the same rows; another key shares no key with them.
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcitem.h>
#include <dcmtk/dcmdata/dcsequen.h>
#include <dcmtk/oflog/oflog.h>
#include <dirent.h>
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <set>
#include <sstream>
#include <unordered_map>

#include "deid/policy.hpp"
#include "deid/profile.hpp"
#include "deid/pseudonym.hpp"
#include "harness.hpp"
#include "model/dictionary.hpp"
#include "util/dates.hpp"

namespace dicomlake::testing {
namespace {

using nlohmann::json;

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

std::string database_url(const std::string& name) {
    std::string url = Lab::instance().db_url();
    return url.substr(0, url.rfind('/') + 1) + name;
}

std::string fresh_db(const std::string& name) {
    {
        pqxx::connection c(Lab::instance().db_url());
        pqxx::nontransaction tx(c);
        tx.exec("DROP DATABASE IF EXISTS " + name);
        tx.exec("CREATE DATABASE " + name);
    }
    return database_url(name);
}

// migrate + backfill into a fresh database; the outputs of both commands.
struct Load {
    std::string db;
    CommandResult migrate, backfill, status;
};
Load load_into(const std::string& name, const std::string& from, const std::string& to,
               const std::map<std::string, std::string>& extra_env = {}) {
    Load l;
    l.db = fresh_db(name);
    auto env = extra_env;
    env["DICOMLAKE_DB_URL"] = l.db;
    Lab& lab = Lab::instance();
    l.migrate = lab.dicomlake("migrate", env);
    if (l.migrate.exit_code != 0) throw std::runtime_error("migrate failed: " + l.migrate.output);
    l.backfill = lab.dicomlake("backfill --from " + from + " --to " + to, env);
    l.status = lab.dicomlake("status", env);
    return l;
}

std::string pg_dump(const std::string& db) {
    auto r = run_shell("pg_dump --data-only --dbname=" + shell_quote(db));
    if (r.exit_code != 0) throw std::runtime_error("pg_dump failed: " + r.output);
    return r.output;
}

// Orthanc's own REST API (not DICOMweb), and DICOMweb metadata, asked with curl.
std::string orthanc(const std::string& method, const std::string& path) {
    Lab& lab = Lab::instance();
    std::string base = lab.pacs_url().substr(0, lab.pacs_url().rfind("/dicom-web"));
    auto r = run_shell("curl -sf -X " + method + " -u " + shell_quote("dicomlake:" + lab.orthanc_password()) + " " +
                       shell_quote(base + path));
    if (r.exit_code != 0) throw std::runtime_error("Orthanc " + method + " " + path + " failed: " + r.output);
    return r.output;
}
std::string study_metadata(const std::string& study_uid) {
    Lab& lab = Lab::instance();
    auto r = run_shell("curl -sf -H 'Accept: application/dicom+json' -u " +
                       shell_quote("dicomlake:" + lab.orthanc_password()) + " " +
                       shell_quote(lab.pacs_url() + "/studies/" + study_uid + "/metadata"));
    if (r.exit_code != 0) throw std::runtime_error("WADO-RS metadata failed: " + r.output);
    return r.output;
}

// ---------------------------------------------------------------------------------------------
// Searching many canaries at once.

std::string hex_digest(const EVP_MD* md, const std::string& s, bool upper) {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_Digest(s.data(), s.size(), out, &len, md, nullptr);
    const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    std::string h;
    for (unsigned int i = 0; i < len; ++i) {
        h += digits[out[i] >> 4];
        h += digits[out[i] & 0xF];
    }
    return h;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

struct Needle {
    Needle(std::string t, size_t c, std::string f, bool u)
        : text(std::move(t)),
          canary(c),
          form(std::move(f)),
          uid(u),
          hex_only(std::all_of(text.begin(), text.end(), is_hex)) {}
    std::string text;
    size_t canary;     // index into the caller's canary list
    std::string form;  // "value", "form YYYY-MM-DD", "md5 of value", ...
    bool uid;          // a UID: a hit must not be part of a longer UID
    bool hex_only;     // only hex digits (numbers, digests): a hit must not be part of a longer hex run
};

// Every spelling of one canary: its value and other forms, and their unkeyed digests.
void add_needles(std::vector<Needle>& out, size_t canary, const std::string& value,
                 const std::vector<std::string>& forms, bool uid) {
    std::vector<std::pair<std::string, std::string>> spellings = {{value, "value"}};
    for (const auto& f : forms) spellings.push_back({f, "form " + f});
    for (const auto& [s, label] : spellings) {
        out.push_back({s, canary, label, uid});
        for (const auto& [md, name] : {std::pair{EVP_md5(), "md5"}, {EVP_sha1(), "sha1"}, {EVP_sha256(), "sha256"}})
            for (bool upper : {false, true})
                out.push_back({hex_digest(md, s, upper), canary,
                               std::string(name) + (upper ? " (upper case hex) of " : " of ") + s, false});
    }
}

struct Hit {
    size_t needle;
    size_t pos;
};

// All occurrences of all needles (each at least 4 bytes). A needle made of hex digits only
// (a numeric ID, a compact date, a digest) counts when it is not part of a longer hex run, so
// it is not "found" inside a 39-digit pseudonym or a content hash; a UID when it is not part
// of a longer UID; any other needle that starts (ends) with a digit when no digit precedes
// (follows) it.
std::vector<Hit> scan(const std::string& hay, const std::vector<Needle>& needles) {
    std::unordered_map<std::uint32_t, std::vector<size_t>> by_prefix;
    for (size_t i = 0; i < needles.size(); ++i) {
        std::uint32_t key;
        std::memcpy(&key, needles[i].text.data(), 4);
        by_prefix[key].push_back(i);
    }
    std::vector<Hit> hits;
    for (size_t pos = 0; pos + 4 <= hay.size(); ++pos) {
        std::uint32_t key;
        std::memcpy(&key, hay.data() + pos, 4);
        auto it = by_prefix.find(key);
        if (it == by_prefix.end()) continue;
        for (size_t i : it->second) {
            const Needle& n = needles[i];
            if (hay.compare(pos, n.text.size(), n.text) != 0) continue;
            size_t end = pos + n.text.size();
            char before = pos > 0 ? hay[pos - 1] : ' ', after = end < hay.size() ? hay[end] : ' ';
            if (n.uid) {
                if (is_digit(before) || before == '.' || is_digit(after) ||
                    (after == '.' && end + 1 < hay.size() && is_digit(hay[end + 1])))
                    continue;
            } else if (n.hex_only) {
                if (is_hex(before) || is_hex(after)) continue;
            } else {
                if (is_digit(n.text.front()) && is_digit(before)) continue;
                if (is_digit(n.text.back()) && is_digit(after)) continue;
            }
            hits.push_back({i, pos});
        }
    }
    return hits;
}

// "dicomlake.series.attributes" for a position in a pg_dump, else "".
std::string dump_location(const std::string& dump, size_t pos) {
    size_t copy = dump.rfind("\nCOPY ", pos);
    if (copy == std::string::npos) return "pg_dump (outside COPY data)";
    size_t name_end = dump.find(' ', copy + 6);
    std::string table = dump.substr(copy + 6, name_end - copy - 6);
    size_t open = dump.find('(', name_end), close = dump.find(')', open);
    std::vector<std::string> columns;
    std::stringstream cols(dump.substr(open + 1, close - open - 1));
    std::string c;
    while (std::getline(cols, c, ',')) columns.push_back(c.substr(c.find_first_not_of(' ')));
    size_t line = dump.rfind('\n', pos - 1) + 1;
    size_t column = static_cast<size_t>(
        std::count(dump.begin() + static_cast<long>(line), dump.begin() + static_cast<long>(pos), '\t'));
    return table + "." + (column < columns.size() ? columns[column] : "?");
}

// The COPY data of one table in a pg_dump.
std::string dump_table(const std::string& dump, const std::string& table) {
    size_t start = dump.find("\nCOPY " + table + " (");
    if (start == std::string::npos) return {};
    start = dump.find('\n', start + 1) + 1;
    size_t end = dump.find("\n\\.\n", start - 1);
    return dump.substr(start, end == std::string::npos ? std::string::npos : end - start + 1);
}

std::string context(const std::string& hay, size_t pos, size_t len) {
    size_t b = pos > 70 ? pos - 70 : 0;
    std::string s = hay.substr(b, std::min(hay.size(), pos + len + 70) - b);
    for (char& ch : s)
        if (ch == '\n' || ch == '\t') ch = ' ';
    return "..." + s + "...";
}

// One source of text to search (the warehouse dump, a command's output).
struct Haystack {
    std::string name;
    const std::string* text;
    bool is_dump;
};

// ---------------------------------------------------------------------------------------------
// The generated canaries, loaded once per test program (three tests use them).

struct CanaryRun {
    std::string dir;
    json canaries;
    std::string served;  // the studies' WADO-RS metadata, as dicomlake reads it
    Load load;
    std::string dump;
    std::string error;
};

const CanaryRun& canary_run() {
    static CanaryRun run = [] {
        CanaryRun r;
        try {
            Lab& lab = Lab::instance();
            r.dir = lab.dir() + "/leak-canaries";
            auto gen = run_shell(shell_quote(DICOMLAKE_CANARYGEN) + " --seed 11 --out " + shell_quote(r.dir));
            if (gen.exit_code != 0) throw std::runtime_error("dicomlake-canarygen failed: " + gen.output);
            r.canaries = json::parse(read_file(r.dir + "/canaries.json"));
            lab.seed({r.dir + "/dicom"}, false);
            for (const auto& study : r.canaries["studies"]) r.served += study_metadata(study["study_uid"]);
            std::string day = r.canaries["date"].get<std::string>();
            r.load = load_into("leak_canaries", day, day, {{"DICOMLAKE_LOG_LEVEL", "trace"}});
            r.dump = pg_dump(r.load.db);
        } catch (const std::exception& e) {
            r.error = e.what();
        }
        return r;
    }();
    return run;
}

std::string describe_where(const json& where, size_t max = 3) {
    std::string s;
    size_t n = 0;
    for (const auto& w : where) {
        if (n++ == max) {
            s += " (+" + std::to_string(where.size() - max) + " more)";
            break;
        }
        if (!s.empty()) s += "; ";
        if (w.contains("path")) {
            int series = w["series"].get<int>();
            s += w["study"].get<std::string>() + (series == 0 ? " study level" : " series " + std::to_string(series)) +
                 " " + w["tag"].get<std::string>() + " " + w["path"].get<std::string>() + " [depth " +
                 std::to_string(w["depth"].get<int>()) + ", " + w["treatment"].get<std::string>() +
                 (w.contains("inside_removed") ? " inside removed " + w["inside_removed"].get<std::string>() : "") +
                 "]";
        } else {
            s += w.dump();
        }
    }
    return s;
}

TEST(Leak, GeneratedCanariesAppearNowhere) {
    const CanaryRun& run = canary_run();
    ASSERT_TRUE(run.error.empty()) << run.error;
    const json& truth = run.canaries;
    ASSERT_EQ(run.load.backfill.exit_code, 0) << run.load.backfill.output;
    EXPECT_EQ(run.load.status.exit_code, 0) << run.load.status.output;
    {
        pqxx::connection c(run.load.db);
        pqxx::work tx(c);
        EXPECT_EQ(tx.exec1("SELECT count(*) FROM dicomlake.study")[0].as<size_t>(), truth["studies"].size());
        size_t series = 0;
        for (const auto& s : truth["studies"]) series += s["series"].size();
        EXPECT_EQ(tx.exec1("SELECT count(*) FROM dicomlake.series")[0].as<size_t>(), series);
    }

    const json& canaries = truth["canaries"];
    ASSERT_GT(canaries.size(), 500u) << "the generator planted too few canaries";
    std::vector<Needle> needles;
    for (size_t i = 0; i < canaries.size(); ++i) {
        const json& c = canaries[i];
        std::string kind = c["kind"].get<std::string>();
        std::string value = c["value"].get<std::string>();
        bool uid = value.rfind("1.2.826.0.1.3680043.10.9999.", 0) == 0;
        add_needles(needles, i, value, c["forms"].get<std::vector<std::string>>(), uid && kind != "uid_root");
    }
    std::fprintf(stderr, "[Leak] %zu canaries (%zu spellings with digests) planted at %zu places\n", canaries.size(),
                 needles.size(), truth["counts"]["places"].get<size_t>());

    // The PACS serves every canary (so dicomlake saw each one), and the search finds them there.
    {
        std::vector<bool> served(canaries.size(), false);
        for (const auto& hit : scan(run.served, needles)) served[needles[hit.needle].canary] = true;
        std::string missing;
        size_t n = 0;
        for (size_t i = 0; i < canaries.size(); ++i)
            if (!served[i] && n++ < 20)
                missing +=
                    "\n  " + canaries[i]["value"].get<std::string>() + " at " + describe_where(canaries[i]["where"], 1);
        EXPECT_EQ(n, 0u) << n << " canaries are not in the PACS's metadata (Orthanc dropped them?):" << missing;
    }

    const std::vector<Haystack> haystacks = {{"pg_dump --data-only", &run.dump, true},
                                             {"migrate output", &run.load.migrate.output, false},
                                             {"backfill output", &run.load.backfill.output, false},
                                             {"status output", &run.load.status.output, false}};
    std::map<size_t, std::vector<std::string>> leaked;  // canary -> where it was found
    size_t total = 0;
    for (const auto& h : haystacks) {
        for (const auto& hit : scan(*h.text, needles)) {
            ++total;
            const Needle& n = needles[hit.needle];
            auto& found = leaked[n.canary];
            if (found.size() < 3)
                found.push_back(n.form + " in " + (h.is_dump ? dump_location(*h.text, hit.pos) : h.name) + ": " +
                                context(*h.text, hit.pos, n.text.size()));
        }
    }
    size_t reported = 0;
    for (const auto& [i, found] : leaked) {
        if (reported++ == 40) {
            ADD_FAILURE() << "... and " << leaked.size() - 40 << " more leaked canaries";
            break;
        }
        const json& c = canaries[i];
        std::string msg = "canary " + c["value"].get<std::string>() + " (" + c["kind"].get<std::string>() +
                          ") planted at " + describe_where(c["where"]) + "\n  found:";
        for (const auto& f : found) msg += "\n    " + f;
        ADD_FAILURE() << msg;
    }
    EXPECT_EQ(total, 0u) << leaked.size() << " of " << canaries.size() << " canaries leaked";

    // The real study day: only in the ledger's window and in the (unlinked) scanner activity,
    // never beside a patient's study or series, where dates are shifted.
    const json& day = truth["study_day"];
    std::vector<std::string> day_forms = {day["value"].get<std::string>()};
    for (const auto& f : day["forms"]) day_forms.push_back(f.get<std::string>());
    for (const auto& table : day["forbidden_in_tables"]) {
        std::string data = dump_table(run.dump, table.get<std::string>());
        EXPECT_FALSE(data.empty()) << table << " is empty";
        for (const auto& f : day_forms) {
            size_t pos = data.find(f);
            EXPECT_EQ(pos, std::string::npos)
                << "the real study day " << f << " (StudyDate, acquisition dates) is in " << table
                << " unshifted: " << (pos == std::string::npos ? "" : context(data, pos, f.size()));
        }
    }
}

TEST(Leak, AnalyticValuesSurvive) {
    const CanaryRun& run = canary_run();
    ASSERT_TRUE(run.error.empty()) << run.error;
    ASSERT_EQ(run.load.backfill.exit_code, 0) << run.load.backfill.output;
    const json& must = run.canaries["must_survive"];
    ASSERT_GE(must.size(), 20u);
    deid::Pseudonymizer pseudo(Lab::instance().key(), 1);
    pqxx::connection c(run.load.db);
    pqxx::work tx(c);
    std::set<std::string> names;
    for (const auto& m : must) {
        std::string name = m["name"].get<std::string>();
        names.insert(name);
        std::string study_key = pseudo.uid(m["study_uid"].get<std::string>());
        std::string table = m["table"].get<std::string>();
        std::string what = m.contains("attributes_path")
                               ? "attributes ->> " + tx.quote(m["attributes_path"].get<std::string>())
                               : m["column"].get<std::string>() + "::text";
        std::string sql = "SELECT " + what + " FROM dicomlake." + table + " WHERE study_key = " + tx.quote(study_key);
        std::string label =
            name + " (" + table + "." +
            (m.contains("attributes_path") ? "attributes->>'" + m["attributes_path"].get<std::string>() + "'"
                                           : m["column"].get<std::string>()) +
            ")";
        if (table == "series") sql += " AND series_key = " + tx.quote(pseudo.uid(m["series_uid"].get<std::string>()));
        auto r = tx.exec(sql);
        ASSERT_EQ(r.size(), 1u) << label << ": row not found";
        ASSERT_FALSE(r[0][0].is_null()) << label << " did not survive (NULL)";
        std::string got = r[0][0].as<std::string>();
        if (m["value"].is_number()) {
            double want = m["value"].get<double>();
            double value = std::stod(got);
            EXPECT_NEAR(value, want, 1e-9 * std::max(1.0, std::fabs(want))) << label;
        } else {
            EXPECT_EQ(got, m["value"].get<std::string>()) << label;
        }
    }
    for (const char* n :
         {"DeviceSerialNumber", "ManufacturerModelName", "PatientAge", "PatientSex", "PatientSize", "PatientWeight",
          "NumberOfAverages", "RepetitionTime", "EchoTime", "CTDIvol", "CT Dose Length Product Total"})
        EXPECT_TRUE(names.count(n)) << n << " is not among the values checked";
}

// ---------------------------------------------------------------------------------------------
// Real files.


std::string trim(std::string s) {
    while (!s.empty() && (s.back() == ' ' || s.back() == '\0' || s.back() == '\t')) s.pop_back();
    size_t b = 0;
    while (b < s.size() && s[b] == ' ') ++b;
    return s.substr(b);
}

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
}

size_t code_points(const std::string& s) {
    size_t n = 0;
    for (unsigned char c : s) n += (c & 0xC0) != 0x80;
    return n;
}

std::vector<std::string> split(const std::string& s, char sep) {
    std::vector<std::string> out;
    std::string part;
    std::stringstream in(s);
    while (std::getline(in, part, sep)) out.push_back(part);
    if (!s.empty() && s.back() == sep) out.push_back({});
    return out;
}

std::string value_of(DcmItem* item, const DcmTagKey& tag) {
    OFString v;
    if (item->findAndGetOFStringArray(tag, v).good()) return trim(v.c_str());
    return {};
}

// "YYYYMMDD" (or ACR-NEMA "YYYY.MM.DD") when it is a real calendar date, else "".
std::string valid_da(std::string d) {
    if (d.size() == 10 && d[4] == '.' && d[7] == '.') d = d.substr(0, 4) + d.substr(5, 2) + d.substr(8, 2);
    if (d.size() < 8) return {};
    d = d.substr(0, 8);
    for (char c : d)
        if (!is_digit(c)) return {};
    std::string iso = d.substr(0, 4) + "-" + d.substr(4, 2) + "-" + d.substr(6, 2);
    return parse_iso_date(iso) ? d : std::string();
}
std::string iso_of(const std::string& da) { return da.substr(0, 4) + "-" + da.substr(4, 2) + "-" + da.substr(6, 2); }

struct RealCanary {
    std::string value;
    std::vector<std::string> forms;
    std::string kind;
    std::set<std::string> files;
    bool uid = false;
};

// What one seeded file holds that the profile keeps (values and their keywords), for the
// exclusion rule: a string that a kept, non-identifying attribute of some file also holds is
// not an identifier of anyone (e.g. an ID "TEST" that is also a StationName).
struct KeptCorpus {
    std::string text;
    std::vector<std::pair<size_t, std::string>> origin;  // offset -> "file: path"
    void add(const std::string& value, const std::string& where) {
        if (value.empty()) return;
        origin.push_back({text.size(), where});
        text += value;
        text += '\n';
    }
    std::string origin_of(size_t pos) const {
        auto it = std::upper_bound(origin.begin(), origin.end(), std::make_pair(pos, std::string("\xff")));
        return it == origin.begin() ? std::string("?") : std::prev(it)->second;
    }
};

struct FileIdentity {
    std::vector<std::string> clean_tokens;  // what dicomlake cleans descriptors of (lower case)
    int date_offset = 0;
    bool has_patient_id = false;
};

// Walks a data set like the profile would: kept values and their keywords into `corpus`
// (cleaned descriptors as cleaned); every date into `dates`, FrameAcquisitionDateTime's into
// `acquired` (real acquisition days reach only the utilization aggregates, activity_day).
void walk_kept(DcmItem* item, const std::string& prefix, bool removed, const deid::RuleTable& rules,
               const FileIdentity& id, const std::string& file, KeptCorpus& corpus, std::set<long>& dates,
               std::set<long>& acquired) {
    for (unsigned long i = 0; i < item->card(); ++i) {
        DcmElement* e = item->getElement(i);
        DcmTag tag = e->getTag();
        model::TagKey key = (static_cast<model::TagKey>(tag.getGroup()) << 16) | tag.getElement();
        std::string vr = DcmVR(e->getVR()).getValidVRName();
        std::string path = prefix + model::keyword_for(key);
        if (e->ident() == EVR_SQ) {
            bool gone = removed || rules.lookup(key, "SQ") == deid::Rule::remove;
            auto* sq = static_cast<DcmSequenceOfItems*>(e);
            for (unsigned long k = 0; k < sq->card(); ++k)
                walk_kept(sq->getItem(k), path + "[" + std::to_string(k) + "].", gone, rules, id, file, corpus, dates,
                          acquired);
            continue;
        }
        if (vr == "OB" || vr == "OW" || vr == "OD" || vr == "OF" || vr == "OL" || vr == "OV" || vr == "UN" ||
            key == 0x7FE00010)
            continue;
        OFString ofs;
        if (e->getOFStringArray(ofs).bad()) continue;
        std::string v = trim(ofs.c_str());
        if ((vr == "DA" || vr == "DT") && !v.empty())
            for (const auto& part : split(v, '\\'))
                if (auto d = valid_da(part); !d.empty()) {
                    dates.insert(*parse_iso_date(iso_of(d)));
                    if (key == 0x00189074) acquired.insert(*parse_iso_date(iso_of(d)));  // FrameAcquisitionDateTime
                }
        if (removed || key == 0x0040A160 || model::is_private(key)) continue;
        deid::Rule rule = rules.lookup(key, vr);
        if (rule == deid::Rule::keep || rule == deid::Rule::keep_sequence) {
            corpus.add(v, file + ": " + path);
            if (vr == "DA")
                for (const auto& part : split(v, '\\'))
                    if (auto d = valid_da(part); !d.empty()) corpus.add(iso_of(d), file + ": " + path);
            corpus.add(model::keyword_for(key), "keyword " + path);
        } else if (rule == deid::Rule::clean_text) {
            std::string out = v, low = lower(v);
            for (const auto& t : id.clean_tokens)
                for (size_t p = low.find(t); p != std::string::npos; p = low.find(t, p + 3)) {
                    out.replace(p, t.size(), "***");
                    low.replace(p, t.size(), "***");
                }
            corpus.add(out, file + ": " + path + " (cleaned)");
            corpus.add(model::keyword_for(key), "keyword " + path);
        } else if (rule == deid::Rule::shift_date || rule == deid::Rule::replace_uid) {
            corpus.add(model::keyword_for(key), "keyword " + path);
        }
    }
}

TEST(Leak, RealFileIdentifiersAppearNowhere) {
    std::vector<std::string> roots = pydicom_dirs();
    std::string shared = shared_samples_dir();
    if (!shared.empty()) roots.push_back(shared);
    if (roots.empty())
        GTEST_SKIP() << "no real DICOM files here (python3-pydicom absent, no ../shared/data/dicom-samples)";
    OFLog::configure(OFLogger::FATAL_LOG_LEVEL);  // DCMTK: broken test files are expected
    auto t0 = std::chrono::steady_clock::now();
    Lab& lab = Lab::instance();
    // dicomlake's own text (messages, column names, keywords), from the generated studies' run,
    // which holds no real identifier; loaded first, so its studies stay in the PACS.
    const CanaryRun& generated = canary_run();
    ASSERT_TRUE(generated.error.empty()) << generated.error;
    // Leave the PACS as found: the real-files suite tells its own studies from those already
    // there, so the studies this test adds are deleted at its end.
    struct Restore {
        std::set<std::string> before;  // Orthanc study IDs
        ~Restore() {
            try {
                for (const auto& study : json::parse(orthanc("GET", "/studies")))
                    if (!before.count(study.get<std::string>()))
                        orthanc("DELETE", "/studies/" + study.get<std::string>());
            } catch (const std::exception& e) {
                std::fprintf(stderr, "[Leak] could not remove the real files from Orthanc: %s\n", e.what());
            }
        }
    } restore;
    for (const auto& id : json::parse(orthanc("GET", "/studies"))) restore.before.insert(id.get<std::string>());
    auto rejected_list = lab.seed(roots, true);
    std::set<std::string> rejected(rejected_list.begin(), rejected_list.end());

    deid::ProfileOptions options = deid::ProfileOptions::defaults();
    deid::RuleTable rules(options);
    deid::Pseudonymizer pseudonymizer(lab.key(), 1);
    deid::Policy policy(pseudonymizer, options);

    std::vector<std::string> files;
    for (const auto& r : roots) list_files(r, files);
    std::sort(files.begin(), files.end());
    std::vector<RealCanary> canaries;
    std::map<std::string, size_t> index;
    auto add = [&](const std::string& value, const std::string& kind, const std::string& file,
                   std::vector<std::string> forms = {}, bool uid = false) {
        std::string v = trim(value);
        if (code_points(v) < 4) return;
        auto [it, inserted] = index.emplace(v, canaries.size());
        if (inserted) canaries.push_back({v, std::move(forms), kind, {}, uid});
        canaries[it->second].files.insert(file);
    };
    KeptCorpus kept;
    std::set<std::string> study_uids;
    std::set<std::string> real_acquisition_days;  // dates dicomlake keeps unshifted (window, activity)
    std::set<long> shifted_images;                // every date of every file, shifted as for its patient
    size_t read = 0;
    for (const auto& path : files) {
        if (rejected.count(path)) continue;
        DcmFileFormat ff;
        if (ff.loadFile(path.c_str()).bad()) continue;
        DcmDataset* ds = ff.getDataset();
        ds->convertToUTF8();  // best effort: names in other character sets stay as they are
        std::string file = path.substr(path.rfind('/', path.rfind('/') - 1) + 1);
        ++read;
        std::string study = value_of(ds, DCM_StudyInstanceUID);
        if (!study.empty()) study_uids.insert(study);
        for (const auto& tag : {DCM_StudyInstanceUID, DCM_SeriesInstanceUID, DCM_SOPInstanceUID}) {
            std::string uid = value_of(ds, tag);
            if (!uid.empty()) add(uid, "uid", file, {}, true);
        }
        std::string name = value_of(ds, DCM_PatientName);
        FileIdentity id;
        if (!name.empty()) {
            add(name, "patient_name", file);
            auto groups = split(name, '=');
            for (size_t g = 0; g < groups.size(); ++g) {
                if (groups.size() > 1) add(groups[g], "patient_name", file);
                auto parts = split(groups[g], '^');
                if (!parts.empty()) add(parts[0], "patient_name (family)", file);
                if (parts.size() > 1) add(parts[1], "patient_name (given)", file);
            }
            // What dicomlake cleans descriptors of: the Alphabetic group's components.
            std::string part;
            for (char c : groups[0] + "^") {
                if (c == '^' || c == ' ' || c == ',') {
                    if (trim(part).size() >= 2) id.clean_tokens.push_back(lower(trim(part)));
                    part.clear();
                } else {
                    part += c;
                }
            }
        }
        std::string pid = value_of(ds, DCM_PatientID), issuer = value_of(ds, DCM_IssuerOfPatientID);
        std::string accession = value_of(ds, DCM_AccessionNumber);
        std::string others = value_of(ds, DCM_RETIRED_OtherPatientIDs);
        add(pid, "patient_id", file);
        add(accession, "accession", file);
        for (const auto& o : split(others, '\\')) add(o, "other_patient_id", file);
        DcmSequenceOfItems* other_seq = nullptr;
        if (ds->findAndGetSequence(DCM_OtherPatientIDsSequence, other_seq).good() && other_seq != nullptr)
            for (unsigned long k = 0; k < other_seq->card(); ++k)
                add(value_of(other_seq->getItem(k), DCM_PatientID), "other_patient_id", file);
        for (const auto& t : {pid, accession, others})
            if (trim(t).size() >= 2) id.clean_tokens.push_back(lower(trim(t)));
        std::string birth = valid_da(value_of(ds, DCM_PatientBirthDate));
        if (!birth.empty()) add(birth, "patient_birth_date", file, {iso_of(birth)});
        for (const auto& tag :
             {DCM_StudyDate, DCM_SeriesDate, DCM_AcquisitionDate, DCM_ContentDate, DCM_AcquisitionDateTime})
            if (auto d = valid_da(value_of(ds, tag)); !d.empty()) real_acquisition_days.insert(d);

        id.has_patient_id = !pid.empty();
        id.date_offset = id.has_patient_id ? policy.date_offset_days(pid, issuer) : 0;
        std::set<long> dates, acquired;
        walk_kept(ds, "", false, rules, id, file, kept, dates, acquired);
        for (long d : acquired) {
            std::string iso = format_iso_date(d);
            real_acquisition_days.insert(iso.substr(0, 4) + iso.substr(5, 2) + iso.substr(8, 2));
        }
        if (id.has_patient_id)
            for (long d : dates) shifted_images.insert(d + id.date_offset);
    }
    std::fprintf(stderr,
                 "[Leak] real files: %zu read with DCMTK, %zu rejected by Orthanc, %zu candidate canaries (%.1f s)\n",
                 read, rejected.size(), canaries.size(), seconds_since(t0));
    ASSERT_GT(read, 20u);

    std::string own_text = generated.dump + generated.load.migrate.output + generated.load.backfill.output +
                           generated.load.status.output + lab.dicomlake("--help").output +
                           lab.dicomlake("backfill --help").output + policy.method_text();

    // Exclusions, each with its reason.
    std::vector<std::string> excluded;
    std::vector<RealCanary> kept_canaries;
    for (auto& c : canaries) {
        std::string reason;
        if (c.uid && c.value.rfind("1.2.840.10008.", 0) == 0) {
            reason = "a well-known DICOM UID, which passes unchanged by design";
        } else if (size_t p = kept.text.find(c.value); p != std::string::npos) {
            reason = "also the value of a kept attribute: " + kept.origin_of(p);
        } else if (c.kind == "patient_birth_date" && real_acquisition_days.count(c.value)) {
            reason =
                "also a real study/acquisition date of a seeded file (the backfill window and "
                "activity_day keep those days unshifted)";
        } else if (own_text.find(c.value) != std::string::npos) {
            reason = "occurs in dicomlake's own output for studies without real identifiers";
        }
        if (!reason.empty()) {
            excluded.push_back(c.value + " (" + c.kind + ", " + *c.files.begin() + "): " + reason);
        } else {
            kept_canaries.push_back(c);
        }
    }
    std::fprintf(stderr, "[Leak] %zu real-file canaries excluded:\n", excluded.size());
    for (const auto& e : excluded) std::fprintf(stderr, "  - %s\n", e.c_str());

    // The window: every day holding one of these studies, as Orthanc's own REST API reports it.
    std::string from, to;
    {
        auto r = run_shell(
            "curl -sf -u " + shell_quote("dicomlake:" + lab.orthanc_password()) + " " +
            shell_quote(lab.environment().at("DICOMLAKE_PACS_URL").substr(0, lab.pacs_url().rfind("/dicom-web")) +
                        "/studies?expand"));
        ASSERT_EQ(r.exit_code, 0) << r.output;
        for (const auto& study : json::parse(r.output)) {
            if (!study_uids.count(study["MainDicomTags"].value("StudyInstanceUID", ""))) continue;
            std::string d = valid_da(study["MainDicomTags"].value("StudyDate", ""));
            if (d.empty()) continue;
            if (from.empty() || d < from) from = d;
            if (to.empty() || d > to) to = d;
        }
    }
    ASSERT_FALSE(from.empty()) << "no seeded study has a StudyDate";
    Load load = load_into("leak_real", iso_of(from), iso_of(to), {{"DICOMLAKE_LOG_LEVEL", "trace"}});
    // 3: a study the PACS cannot serve is recorded as failed (studies without PatientID load).
    EXPECT_TRUE(load.backfill.exit_code == 0 || load.backfill.exit_code == 3) << load.backfill.output;
    std::string dump = pg_dump(load.db);
    std::fprintf(stderr, "[Leak] real files loaded %s..%s, dump %zu bytes (%.1f s)\n", from.c_str(), to.c_str(),
                 dump.size(), seconds_since(t0));
    {
        pqxx::connection c(load.db);
        pqxx::work tx(c);
        EXPECT_GT(tx.exec1("SELECT count(*) FROM dicomlake.series")[0].as<long>(), 20);
    }

    std::vector<Needle> needles;
    for (size_t i = 0; i < kept_canaries.size(); ++i)
        add_needles(needles, i, kept_canaries[i].value, kept_canaries[i].forms, kept_canaries[i].uid);
    const std::vector<Haystack> haystacks = {{"pg_dump --data-only", &dump, true},
                                             {"backfill output", &load.backfill.output, false},
                                             {"status output", &load.status.output, false}};
    std::map<size_t, std::vector<std::string>> leaked;
    size_t excused = 0;
    for (const auto& h : haystacks) {
        for (const auto& hit : scan(*h.text, needles)) {
            const Needle& n = needles[hit.needle];
            const RealCanary& c = kept_canaries[n.canary];
            if (c.kind == "patient_birth_date") {
                // Another patient's date, shifted by that patient's offset, may land on this date.
                std::string iso = n.text.size() == 10 ? n.text : n.text.size() == 8 ? iso_of(n.text) : "";
                if (auto d = parse_iso_date(iso); d && shifted_images.count(*d)) {
                    ++excused;
                    continue;
                }
            }
            auto& found = leaked[n.canary];
            if (found.size() < 3)
                found.push_back(n.form + " in " + (h.is_dump ? dump_location(*h.text, hit.pos) : h.name) + ": " +
                                context(*h.text, hit.pos, n.text.size()));
        }
    }
    if (excused > 0)
        std::fprintf(stderr, "[Leak] %zu birth-date hits excused: equal to a shifted date of a seeded file\n", excused);
    size_t reported = 0;
    for (const auto& [i, found] : leaked) {
        if (reported++ == 40) {
            ADD_FAILURE() << "... and " << leaked.size() - 40 << " more";
            break;
        }
        const RealCanary& c = kept_canaries[i];
        std::string msg = c.kind + " " + c.value + " of " + *c.files.begin() +
                          (c.files.size() > 1 ? " (+" + std::to_string(c.files.size() - 1) + " files)" : "") +
                          "\n  found:";
        for (const auto& f : found) msg += "\n    " + f;
        ADD_FAILURE() << msg;
    }
    EXPECT_TRUE(leaked.empty()) << leaked.size() << " of " << kept_canaries.size() << " real identifiers leaked";
    std::fprintf(stderr, "[Leak] real files: %zu identifiers searched (%.1f s)\n", kept_canaries.size(),
                 seconds_since(t0));
}

// ---------------------------------------------------------------------------------------------
// Determinism and keys.

std::set<std::string> keys_of(const std::string& db) {
    pqxx::connection c(db);
    pqxx::work tx(c);
    std::set<std::string> keys;
    for (const auto& r :
         tx.exec("SELECT study_key FROM dicomlake.study UNION ALL SELECT patient_key FROM dicomlake.study "
                 "UNION ALL SELECT accession_key FROM dicomlake.study UNION ALL SELECT series_key FROM "
                 "dicomlake.series UNION ALL SELECT activity_key FROM dicomlake.activity_contribution"))
        if (!r[0].is_null()) keys.insert(r[0].as<std::string>());
    return keys;
}

TEST(Leak, SameKeySameRowsAnotherKeyNoSharedKeys) {
    const CanaryRun& run = canary_run();
    ASSERT_TRUE(run.error.empty()) << run.error;
    ASSERT_EQ(run.load.backfill.exit_code, 0) << run.load.backfill.output;
    std::string day = run.canaries["date"].get<std::string>();

    Load again = load_into("leak_same_key", day, day);
    ASSERT_EQ(again.backfill.exit_code, 0) << again.backfill.output;
    std::string a = warehouse_rows(run.load.db), b = warehouse_rows(again.db);
    EXPECT_GT(a.size(), 1000u);
    EXPECT_EQ(a, b) << "two loads with the same key differ";

    Lab& lab = Lab::instance();
    std::string other_key = lab.dir() + "/leak-other.key";
    auto k = run_shell(shell_quote(DICOMLAKE_BINARY) + " keygen > " + shell_quote(other_key) + " && chmod 600 " +
                       shell_quote(other_key));
    ASSERT_EQ(k.exit_code, 0) << k.output;
    Load other = load_into("leak_other_key", day, day, {{"DICOMLAKE_KEY_FILE", other_key}});
    ASSERT_EQ(other.backfill.exit_code, 0) << other.backfill.output;

    auto first = keys_of(run.load.db), third = keys_of(other.db);
    size_t studies = run.canaries["studies"].size();
    EXPECT_GE(first.size(), 4 * studies) << "study, patient, accession, series and activity keys expected";
    EXPECT_EQ(first.size(), third.size());
    std::vector<std::string> shared;
    std::set_intersection(first.begin(), first.end(), third.begin(), third.end(), std::back_inserter(shared));
    EXPECT_TRUE(shared.empty()) << shared.size() << " keys are the same under another key, e.g. " << shared.front();
    {
        pqxx::connection c(other.db);
        pqxx::work tx(c);
        EXPECT_EQ(tx.exec1("SELECT count(*) FROM dicomlake.study WHERE patient_key IS NOT NULL AND accession_key IS "
                           "NOT NULL")[0]
                      .as<size_t>(),
                  studies);
    }
    EXPECT_NE(warehouse_rows(other.db), a);
}

}  // namespace
}  // namespace dicomlake::testing
