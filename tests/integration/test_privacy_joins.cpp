// The join attack of docs/privacy.md. An analyst who can read every table and view (but holds no
// key) tries to recover each study's date shift: every stored date is the real one plus a
// per-patient shift of -7 x (1..520) days, so the real date is the stored one + 7k for an
// unknown k in 1..520. For every real-time column (utilization, run windows, ledger and load
// times) the attacker keeps only the k that the joins leave possible, intersected over the
// studies of each patient_key. The generator's truth (not dicomlake) gives the true k.
//
// What no design can hide is the extraction window itself (runs say which real days were
// loaded): a patient whose studies span most of the window has few k left from the window alone.
// The claim tested is that the joins narrow nothing beyond that, and identify no study.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>
#include <sstream>
#include <tuple>

#include "deid/pseudonym.hpp"
#include "harness.hpp"
#include "util/dates.hpp"
#include "warehouse/ledger.hpp"

namespace dicomlake::testing {
namespace {

using Offsets = std::set<long>;  // k: real date = stored date + 7k days

constexpr const char* kFrom = "2026-03-02";  // a Monday; 8 weeks no other suite or real sample uses
constexpr int kWeeks = 8;

// Seconds since the epoch of "YYYY-MM-DD[T ]HH:MM:SS[.f]".
double epoch_seconds(const std::string& ts) {
    auto d = parse_iso_date(ts.substr(0, 10));
    if (!d || ts.size() < 19) return -1;
    return *d * 86400.0 + std::stoi(ts.substr(11, 2)) * 3600.0 + std::stoi(ts.substr(14, 2)) * 60.0 +
           std::stod(ts.substr(17));
}

struct Study {
    std::string key, patient, device;
    long day = 0;                 // stored (shifted) StudyDate, days since the epoch
    double first = 0, last = 0;   // stored first/last acquisition of its acquisitions, epoch seconds
    long true_k = 0;
    Offsets window, joins;        // what the window alone leaves; what every join leaves
};

bool has_column(pqxx::work& tx, const std::string& table, const std::string& column) {
    return !tx.exec_params("SELECT 1 FROM information_schema.columns WHERE table_schema = 'dicomlake'"
                           " AND table_name = $1 AND column_name = $2",
                           table, column)
                .empty();
}

// The dicomlake that loads the attacked warehouse: this build, or another one named by
// DICOMLAKE_ATTACKED_BINARY (to show the attack succeeding on an older build).
CommandResult load_with(const std::string& args, const std::map<std::string, std::string>& env) {
    const char* other = std::getenv("DICOMLAKE_ATTACKED_BINARY");
    if (other == nullptr || *other == '\0') return Lab::instance().dicomlake(args, env);
    std::string cmd = Lab::instance().command_line(args, env);
    cmd.replace(cmd.find(shell_quote(DICOMLAKE_BINARY)), shell_quote(DICOMLAKE_BINARY).size(), shell_quote(other));
    return run_shell(cmd);
}

class PrivacyJoins : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        Lab& lab = Lab::instance();
        std::string to = add_days(kFrom, 7 * kWeeks - 1);
        truth_ = nlohmann::json::parse(read_file(generate_fleet(
            lab.dir() + "/privacy",
            std::string("--seed 23 --scanners 1 --ct-share 0 --studies 140 --fail-studies 1 --from ") + kFrom +
                " --to " + to)));
        lab.seed({lab.dir() + "/privacy/dicom"}, false);
        db_ = lab.fresh_database("privacy");
        env_ = {{"DICOMLAKE_DB_URL", db_}};
        log_ = load_with("migrate", env_).output;
        {
            // Publish smaller days than the default: the attack gets more to work with.
            pqxx::connection c(db_);
            pqxx::work tx(c);
            if (has_column(tx, "analysis_setting", "value"))
                tx.exec("UPDATE dicomlake.analysis_setting SET value = 3 WHERE name = 'min_cell_studies'");
            tx.commit();
        }
        // Loaded week by week, as nightly runs would: each run's window is a real week.
        for (int w = 0; w < kWeeks; ++w) {
            std::string from = add_days(kFrom, 7 * w), last = add_days(from, 6);
            windows_.push_back("from " + from + " to " + last);
            log_ += load_with("backfill --from " + from + " --to " + last, env_).output;
        }
        status_ = load_with("status", env_).output;
    }

    // Every loaded study of the fleet, with the window baseline and the joins applied.
    static std::map<std::string, Study> attack();

    static inline nlohmann::json truth_;
    static inline std::string db_, log_, status_;
    static inline std::map<std::string, std::string> env_;
    static inline std::vector<std::string> windows_;
};

// Intersects `set` with `allowed` (when the join says anything about this study).
void narrow(Offsets& set, const Offsets& allowed) {
    Offsets out;
    for (long k : set)
        if (allowed.count(k)) out.insert(k);
    set = out;
}

// k whose real day (stored + 7k) lies in one of the [from, to] windows.
Offsets within(long stored_day, const std::vector<std::pair<long, long>>& windows) {
    Offsets out;
    for (long k = 1; k <= 520; ++k)
        for (const auto& [from, to] : windows)
            if (stored_day + 7 * k >= from && stored_day + 7 * k <= to) out.insert(k);
    return out;
}

std::map<std::string, Study> PrivacyJoins::attack() {
    deid::Pseudonymizer p(Lab::instance().key(), 1);
    std::map<std::string, long> real_day;  // study_key -> real StudyDate (the truth)
    for (const auto& s : truth_["studies"])
        real_day[p.uid(s["study_uid"].get<std::string>())] = *parse_iso_date(s["study_date"].get<std::string>());

    pqxx::connection c(db_);
    pqxx::work tx(c);
    std::map<std::string, Study> studies;
    for (const auto& r : tx.exec(
             "SELECT st.study_key, coalesce(st.patient_key, st.study_key), st.study_date::text, min(s.device_serial),"
             " min(s.first_acquired)::text, max(s.last_acquired)::text"
             " FROM dicomlake.study st JOIN dicomlake.series s USING (study_key)"
             " WHERE s.device_serial IS NOT NULL AND NOT s.derived AND s.modality NOT IN ('SR', 'KO', 'PR', 'DOC')"
             " GROUP BY 1, 2, 3")) {
        Study s;
        s.key = r[0].as<std::string>();
        if (!real_day.count(s.key)) continue;  // another suite's study
        s.patient = r[1].as<std::string>();
        s.day = *parse_iso_date(r[2].as<std::string>());
        s.device = r[3].as<std::string>();
        s.first = epoch_seconds(r[4].as<std::string>());
        s.last = epoch_seconds(r[5].as<std::string>());
        s.true_k = (real_day[s.key] - s.day) / 7;
        studies[s.key] = s;
    }

    // What every run says: the real days it extracted.
    std::map<long, std::pair<long, long>> run_window;
    std::vector<std::pair<long, long>> all_windows;
    for (const auto& r : tx.exec("SELECT run_id, window_from::text, window_to::text FROM dicomlake.run"
                                 " WHERE window_from IS NOT NULL")) {
        std::pair<long, long> w{*parse_iso_date(r[1].as<std::string>()), *parse_iso_date(r[2].as<std::string>())};
        run_window[r[0].as<long>()] = w;
        all_windows.push_back(w);
    }
    for (auto& [key, s] : studies) s.window = s.joins = within(s.day, all_windows);

    // Joins that tie a study to a run (and so to a real week): its run, its load time, its ledger row.
    auto by_run = [&](const std::string& sql) {
        for (const auto& r : tx.exec(sql)) {
            auto s = studies.find(r[0].as<std::string>());
            if (s == studies.end() || r[1].is_null() || !run_window.count(r[1].as<long>())) continue;
            narrow(s->second.joins, within(s->second.day, {run_window[r[1].as<long>()]}));
        }
    };
    if (has_column(tx, "study", "run_id")) by_run("SELECT study_key, run_id FROM dicomlake.study");
    if (has_column(tx, "study", "loaded_at"))
        by_run("SELECT s.study_key, r.run_id FROM dicomlake.study s JOIN dicomlake.run r"
               " ON s.loaded_at BETWEEN r.started_at AND coalesce(r.finished_at, 'infinity')");
    for (const auto& [table, run_column] : {std::pair<std::string, std::string>{"study_status", "last_run_id"},
                                            {"run_failure", "run_id"}})
        for (const auto& key_column : {"study_key", "ledger_key"})
            if (has_column(tx, table, key_column))
                by_run("SELECT l." + std::string(key_column) + ", l." + run_column + " FROM dicomlake." + table +
                       " l JOIN dicomlake.study s ON s.study_key = l." + key_column);

    // Per-study real-time rows: device and first acquisition (time of day, weekday) match.
    if (has_column(tx, "acquisition_activity", "first_acquired")) {
        std::map<std::string, std::set<long long>> starts;  // device -> real first acquisition, ms
        for (const auto& r : tx.exec("SELECT device_serial, first_acquired::text FROM dicomlake.acquisition_activity"
                                     " WHERE first_acquired IS NOT NULL"))
            starts[r[0].as<std::string>()].insert(std::llround(epoch_seconds(r[1].as<std::string>()) * 1000));
        for (auto& [key, s] : studies) {
            Offsets match;
            for (long k = 1; k <= 520; ++k)
                if (starts[s.device].count(std::llround((s.first + 7.0 * 86400 * k) * 1000))) match.insert(k);
            if (!match.empty()) narrow(s.joins, match);
        }
    }

    // Published scanner-days: a study cannot lie on a day whose busy time is shorter than it.
    // (Weekday and hour tables have no date: they are the same for every k and separate none.)
    if (has_column(tx, "activity_day", "busy_minutes")) {
        std::map<std::pair<std::string, long>, double> busy;
        for (const auto& r : tx.exec("SELECT device_serial, day::text, busy_minutes FROM dicomlake.activity_day"))
            busy[{r[0].as<std::string>(), *parse_iso_date(r[1].as<std::string>())}] = r[2].as<double>();
        for (auto& [key, s] : studies) {
            Offsets fits;
            double minutes = (s.last - s.first) / 60.0;
            for (long k : s.joins) {
                auto b = busy.find({s.device, s.day + 7 * k});
                if (b == busy.end() || b->second + 2.5 >= minutes) fits.insert(k);
            }
            s.joins = fits;
        }
    }

    // One shift per patient: intersect over each patient's studies.
    std::map<std::string, std::pair<Offsets, Offsets>> patient;
    for (const auto& [key, s] : studies) {
        auto it = patient.find(s.patient);
        if (it == patient.end()) patient[s.patient] = {s.window, s.joins};
        else {
            narrow(it->second.first, s.window);
            narrow(it->second.second, s.joins);
        }
    }
    for (auto& [key, s] : studies) std::tie(s.window, s.joins) = patient[s.patient];
    return studies;
}

TEST_F(PrivacyJoins, NoJoinNarrowsTheShiftBeyondTheExtractionWindow) {
    auto studies = attack();
    ASSERT_GT(studies.size(), 100u) << log_;
    size_t narrowed = 0, identified = 0, window_only = 0;
    for (const auto& [key, s] : studies) {
        ASSERT_TRUE(s.joins.count(s.true_k)) << "the attacker's own logic is wrong for " << key;
        if (s.window.size() == 1) ++window_only;
        if (s.joins.size() < s.window.size()) ++narrowed;
        if (s.joins.size() == 1 && s.window.size() > 1) ++identified;
    }
    std::fprintf(stderr, "[PrivacyJoins] %zu studies: the window alone pins %zu, the joins narrow %zu and identify %zu\n",
                 studies.size(), window_only, narrowed, identified);
    EXPECT_EQ(narrowed, 0u) << narrowed << " of " << studies.size()
                            << " studies have fewer possible shifts after the joins than from the window alone";
    EXPECT_EQ(identified, 0u) << identified << " studies' shift is identified by the joins";
    // The residual every shifted warehouse has (docs/privacy.md): patients whose studies span the
    // whole window. Few in this fleet, and never through a join.
    EXPECT_LT(window_only * 10, studies.size()) << window_only << " studies are pinned by the window alone";
}

TEST_F(PrivacyJoins, NoRealDateOfAStudyInTheDumpTheLogsOrStatus) {
    deid::Pseudonymizer p(Lab::instance().key(), 1);
    std::map<std::string, std::vector<std::string>> own;  // study_key -> its real date, ISO and DA
    std::set<std::string> real;
    for (const auto& s : truth_["studies"]) {
        std::string d = s["study_date"].get<std::string>();
        auto& forms = own[p.uid(s["study_uid"].get<std::string>())];
        forms = {d, d.substr(0, 4) + d.substr(5, 2) + d.substr(8, 2)};
        real.insert(forms.begin(), forms.end());
    }
    auto dump = run_shell("pg_dump --data-only --dbname=" + shell_quote(db_));
    ASSERT_EQ(dump.exit_code, 0) << dump.output;
    // A study's rows never hold its own real date (a shifted date may equal another study's real
    // one: that says nothing). Tables without a study key hold no real date of any study, except
    // the runs' windows and the published scanner-day and scanner-week aggregates (at least
    // min_cell_studies studies each, no key).
    const std::set<std::string> by_study = {"dicomlake.study", "dicomlake.series", "dicomlake.dose_study",
                                            "dicomlake.dose_event"};
    std::string table;
    size_t lines = 0;
    std::istringstream in(dump.output);
    for (std::string line; std::getline(in, line);) {
        if (line.rfind("COPY ", 0) == 0) table = line.substr(5, line.find(' ', 5) - 5);
        if (table == "dicomlake.run" || table == "dicomlake.activity_day" || table == "dicomlake.activity_week")
            continue;
        ++lines;
        if (by_study.count(table)) {
            auto it = own.find(line.substr(0, line.find('\t')));
            if (it == own.end()) continue;
            for (const auto& d : it->second)
                EXPECT_EQ(line.find(d), std::string::npos) << "the study's real date in " << table << ": " << line.substr(0, 200);
            continue;
        }
        for (const auto& d : real) EXPECT_EQ(line.find(d), std::string::npos) << "a real date in " << table << ": " << line;
    }
    EXPECT_GT(lines, 1000u);
    // The ledger holds the planted failure, by pseudonym, its real day sealed.
    EXPECT_NE(status_.find("failed studies: 1"), std::string::npos) << status_;
    // Logs and status name the windows the runs were asked for, and nothing else dated.
    auto without_windows = [](std::string text) {
        for (const auto& w : windows_)
            for (size_t at; (at = text.find(w)) != std::string::npos;) text.erase(at, w.size());
        // status prints each window as FROM..TO
        for (size_t at = text.find(".."); at != std::string::npos; at = text.find("..", at))
            if (at >= 10 && at + 12 <= text.size()) text.erase(at - 10, 22);
            else at += 2;
        return text;
    };
    std::string log = without_windows(log_), status = without_windows(status_);
    for (const auto& d : real) {
        EXPECT_EQ(log.find(d), std::string::npos) << "a real date in the log: " << d;
        EXPECT_EQ(status.find(d), std::string::npos) << "a real date in status: " << d;
    }
}

// A study the database rejects is recorded with its real day, sealed, so a later run lists that
// day again and retries it (not its shifted day, which would never find it).
TEST(PrivacyLedger, AStudyTheDatabaseRejectsIsRetriedOnItsRealDay) {
    Lab& lab = Lab::instance();
    auto truth = nlohmann::json::parse(read_file(generate_fleet(
        lab.dir() + "/rejected", "--seed 29 --scanners 2 --ct-share 0 --studies 3 --from 2026-05-04 --to 2026-05-04")));
    lab.seed({lab.dir() + "/rejected/dicom"}, false);
    std::string db = lab.fresh_database("rejected");
    std::map<std::string, std::string> env = {{"DICOMLAKE_DB_URL", db}};
    ASSERT_EQ(lab.dicomlake("migrate", env).exit_code, 0);
    deid::Pseudonymizer p(lab.key(), 1);
    std::string uid = truth["studies"][1]["study_uid"].get<std::string>();
    std::string key = p.uid(uid);
    {
        pqxx::connection c(db);
        pqxx::work tx(c);
        tx.exec("CREATE FUNCTION public.reject_study() RETURNS trigger LANGUAGE plpgsql AS $$"
                " BEGIN RAISE EXCEPTION 'rejected by the test'; END $$");
        tx.exec("CREATE TRIGGER reject BEFORE INSERT ON dicomlake.study FOR EACH ROW WHEN (NEW.study_key = " +
                tx.quote(key) + ") EXECUTE FUNCTION public.reject_study()");
        tx.commit();
    }
    auto first = lab.dicomlake("backfill --from 2026-05-04 --to 2026-05-04", env);
    EXPECT_EQ(first.exit_code, 3) << first.output;
    {
        pqxx::connection c(db);
        pqxx::work tx(c);
        auto r = tx.exec_params("SELECT state, sealed FROM dicomlake.study_status WHERE ledger_key = $1",
                                warehouse::ledger_key(p, key));
        ASSERT_EQ(r.size(), 1u) << first.output;
        EXPECT_EQ(r[0][0].as<std::string>(), "failed");
        auto entry = warehouse::open_entry(p, r[0][1].as<std::string>());
        ASSERT_TRUE(entry.has_value());
        EXPECT_EQ(entry->day, "2026-05-04") << "the real day, not the shifted one";
        tx.exec("DROP TRIGGER reject ON dicomlake.study");
        tx.commit();
    }
    // The nightly run's window is today; the failure's day is listed again and it loads.
    // (Other suites may have put studies of today in the PACS: only this study is checked.)
    auto run = lab.dicomlake("run", env);
    EXPECT_NE(run.output.find("retrying 1 earlier failed"), std::string::npos) << run.output;
    pqxx::connection c(db);
    pqxx::work tx(c);
    EXPECT_EQ(tx.exec_params1("SELECT count(*) FROM dicomlake.study WHERE study_key = $1", key)[0].as<long>(), 1)
        << run.output;
    EXPECT_EQ(tx.exec_params1("SELECT state FROM dicomlake.study_status WHERE ledger_key = $1",
                              warehouse::ledger_key(p, key))[0].as<std::string>(),
              "loaded");
}

}  // namespace
}  // namespace dicomlake::testing
