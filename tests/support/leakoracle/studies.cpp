// dicomlake-leakoracle: the studies and the attack cases they carry (see main.cpp).
#include <set>

#include "oracle.hpp"

namespace leakoracle {

namespace {

bool one_of(const std::string& vr, std::initializer_list<const char*> list) {
    for (const char* v : list)
        if (vr == v) return true;
    return false;
}

// Attributes the study writers set themselves (identifiers, the real dates, the sequences the
// attack cases use); the sweep over the list leaves them alone.
const std::set<std::uint32_t>& written_elsewhere() {
    static const std::set<std::uint32_t> s = {
        0x00080005, 0x00080016, 0x00080018, 0x00080020, 0x00080021, 0x00080022, 0x00080023, 0x0008002A,
        0x00080050, 0x00081030, 0x0008103E, 0x00081032, 0x00081090, 0x00100010, 0x00100020, 0x00100021,
        0x00100030, 0x00101000, 0x00101002, 0x00181030, 0x00189074, 0x0020000D, 0x0020000E, 0x00200052,
        0x00204000, 0x00400275, 0x00400254, 0x0040A730,
    };
    return s;
}

// Letters with their lower-case forms (Cyrillic, Greek) for names unique per run.
const std::vector<std::string> kCyrUpper = {"А", "Б", "В", "Г", "Д", "Е", "Ж", "З", "И", "К"};
const std::vector<std::string> kCyrLower = {"а", "б", "в", "г", "д", "е", "ж", "з", "и", "к"};
const std::vector<std::string> kGrUpper = {"Α", "Β", "Γ", "Δ", "Ε", "Ζ", "Η", "Θ", "Ι", "Κ"};
const std::vector<std::string> kGrLower = {"α", "β", "γ", "δ", "ε", "ζ", "η", "θ", "ι", "κ"};
const std::vector<std::string> kCjkDigits = {"〇", "一", "二", "三", "四", "五", "六", "七", "八", "九"};

// The same digits spelled in another alphabet.
std::string respell(const std::string& s, const std::vector<std::string>& from, const std::vector<std::string>& to) {
    std::string out;
    for (size_t i = 0; i < s.size();) {
        bool hit = false;
        for (size_t k = 0; k < from.size() && !hit; ++k)
            if (s.compare(i, from[k].size(), from[k]) == 0) {
                out += to[k];
                i += from[k].size();
                hit = true;
            }
        if (!hit) out += s[i++];
    }
    return out;
}

}  // namespace

void Oracle::run() {
    list_study();
    for (const char* name : {"unlisted", "unknown", "wrongvr", "split", "ids"}) attack_study(name);
    script_study("cyrillic");
    script_study("greek");
    script_study("cjk");
    no_patient_id_study();
}

// ---- 1. the list: every planted row at depth 0, the patient's identifiers at depths 1-3 ----

void Oracle::plant_list(const Node& s, const Person& p) {
    const bool first = list_planted_ == 0;
    auto skip = [&](const Row& r, const std::string& why) {
        if (first) skipped_.push_back({{"tag", tag_text(r.tag)}, {"keyword", r.keyword}, {"reason", why}});
    };
    for (const Row& r : list_) {
        const std::uint16_t group = static_cast<std::uint16_t>(r.tag >> 16);
        if (r.action == "K") {
            skip(r, "kept under the default options");
        } else if (group == 0x0000 || group == 0x0002 || group == 0x0004) {
            skip(r, "command, file meta or directory attribute");
        } else if (r.tag == 0x00080201) {
            skip(r, "a time-zone offset, modified with the dates: it cannot hold an identifier");
        } else if (written_elsewhere().count(r.tag)) {
            skip(r, "written by the study writers");
        } else if (one_of(r.vr, {"OB", "OW", "OF", "OD", "OL", "OV", "UN", "US", "SS", "UL", "SL", "FL", "FD", "SV",
                                 "UV", "AT", "TM", "AS", "DS", "IS"})) {
            skip(r, "its VR cannot carry an unmistakable canary");
        } else {
            if (first) ++list_planted_;
            const std::string kind = "list";
            if (r.vr == "DA") {
                long d = list_day();
                plant(s, r.tag, r.vr, da(d), {date_canary(d, kind)});
            } else if (r.vr == "DT") {
                long d = list_day();
                plant(s, r.tag, r.vr, da(d) + "083000", {{da(d) + "083000", {iso(d) + "T08:30:00", iso(d), da(d)}, kind}});
            } else if (r.vr == "PN") {
                Person q = person();
                plant(s, r.tag, r.vr, q.pn(), {latin(q.family, kind), latin(q.given, kind)});
            } else if (r.vr == "UI") {
                std::string u = uid();
                plant(s, r.tag, r.vr, u, {{u, {}, "uid"}});
            } else if (r.vr == "SQ") {
                Node item = child(s, r.tag);
                if (r.action == "C" || r.action.find('U') != std::string::npos) {
                    // Kept (cleaned or UIDs replaced): the identifiers inside must still go.
                    plant(item, 0x00100020, "LO", pid_, {latin(pid_, kind)});
                } else {
                    std::string t = token('Q');
                    plant(item, 0x00080104, "LO", t, {latin(t, kind)}, "inside a removed sequence");
                }
            } else if (r.action == "C" && !one_of(r.vr, {"CS", "AE", "SH", "UR"})) {
                plant(s, r.tag, r.vr, "Note " + p.family + " " + pid_,
                      {latin(p.family, "list"), latin(pid_, "list")}, "cleaned descriptor");
            } else if (r.action == "C") {
                // Cleaning removes the patient's identifiers, not any text: a short one holds the ID.
                plant(s, r.tag, r.vr, pid_, {latin(pid_, "list")}, "cleaned, holds the PatientID");
            } else {
                std::string t = token('X');
                std::string v = r.vr == "UR" ? "https://example.org/" + t : t;
                plant(s, r.tag, r.vr, v, {latin(t, kind)});
            }
        }
    }
}

// Listed identifiers inside kept sequences the table does not list, at depths 1, 2 and 3.
void Oracle::nested_list(const Node& s, const Person& p) {
    Node d1 = child(s, 0x00400260);  // PerformedProtocolCodeSequence
    Node d2 = child(d1, 0x00081032);  // ProcedureCodeSequence
    Node d3 = child(d2, 0x00082218);  // AnatomicRegionSequence
    for (const Node* n : {&d1, &d2, &d3}) {
        put(*n, 0x00080100, "SH", "ORC" + std::to_string(n->depth));
        put(*n, 0x00080102, "SH", "99ORC");
        Person q = person();
        plant(*n, 0x00100010, "PN", q.pn(), {latin(q.family, "list_nested"), latin(q.given, "list_nested")});
        plant(*n, 0x00100020, "LO", pid_, {latin(pid_, "list_nested")});
        plant(*n, 0x00080050, "SH", accession_, {latin(accession_, "list_nested")});
        long birth = list_day();
        plant(*n, 0x00100030, "DA", da(birth), {date_canary(birth, "list_nested")});
        std::string other = token('O');
        plant(*n, 0x00101000, "LO", other, {latin(other, "list_nested")});
        Person ref = person();
        plant(*n, 0x00080090, "PN", ref.pn(), {latin(ref.family, "list_nested"), latin(ref.given, "list_nested")});
        (void)p;
    }
}

void Oracle::list_study() {
    begin_study("list");
    Person p = person();
    DcmDataset study;
    Node top{&study, "", 0};
    patient(top, p, p.pn(), "patient");
    study_header(top, "MR KNEE");
    const char* plans[][4] = {{"Sag PD", "2", "3200", "30"}, {"Ax T1", "1", "650", "12"}};
    for (int k = 0; k < 2; ++k) {
        DcmDataset ds(study);
        Node s{&ds, "", 0};
        series_header(s, "MR", kMr, k + 1);
        mr_physics(s, plans[k][1], plans[k][2], plans[k][3]);
        put(s, 0x0008103E, "LO", plans[k][0]);
        must_survive("SeriesDescription", "series", "series_description", plans[k][0]);
        if (k == 0) {
            plant_list(s, p);
            nested_list(s, p);
        }
        put(s, 0x00080018, "UI", uid());
        put(s, 0x00200013, "IS", "1");
        save(ds, k + 1, 1);
    }
    end_study("list", "MR");
}

// ---- 2. the attacks on a Latin-script patient ----

// Public text attributes Table E.1-1 does not list, carrying the patient's identifiers: at
// depth 0, in kept sequences down to depth 3, in a content item, and in public tags that no
// dictionary knows (even groups, unassigned elements).
void Oracle::unlisted_text(const Node& s, const Person& p) {
    const std::string a = "unlisted_text";
    plant(s, 0x00400255, "LO", "Follow-up " + p.family, {latin(p.family, a)});  // PerformedProcedureTypeDescription
    plant(s, 0x00400400, "LT", "Patient " + pid_ + " called twice", {latin(pid_, a)});  // CommentsOnTheScheduledPS
    plant(s, 0x0018003A, "ST", "Given to " + p.family, {latin(p.family, a)});          // InterventionDescription
    plant(s, 0x00189910, "UT", "Rationale: " + p.given, {latin(p.given, a)});          // ProtocolDesignRationale
    plant(s, 0x0018990A, "UC", "Check " + accession_, {latin(accession_, a)});         // PotentialDiagnosticTasks
    plant(s, 0x0040E001, "ST", pid_, {latin(pid_, a)});                                 // HL7InstanceIdentifier

    // Kept sequences the table does not list, depths 1 to 3.
    Node d1 = child(s, 0x00081032);  // ProcedureCodeSequence
    put(d1, 0x00080100, "SH", "ORCP1");
    put(d1, 0x00080102, "SH", "99ORC");
    plant(d1, 0x00080104, "LO", "Knee MR for " + p.family, {latin(p.family, a)});
    Node d2 = child(d1, 0x00400260);  // PerformedProtocolCodeSequence
    put(d2, 0x00080100, "SH", "ORCP2");
    put(d2, 0x00080102, "SH", "99ORC");
    plant(d2, 0x00080104, "LO", "Protocol of " + pid_, {latin(pid_, a)});
    plant(d2, 0x00400255, "LO", p.given + " follow-up", {latin(p.given, a)});
    Node d3 = child(d2, 0x00082218);  // AnatomicRegionSequence
    put(d3, 0x00080100, "SH", "ORCP3");
    put(d3, 0x00080102, "SH", "99ORC");
    plant(d3, 0x00080104, "LO", "Knee of " + p.family + " " + accession_, {latin(p.family, a), latin(accession_, a)});

    // Request Attributes Sequence (kept, cleaned): unlisted text inside, depths 1 to 3.
    Node r1 = child(s, 0x00400275);
    plant(r1, 0x00400400, "LT", "Call " + p.family + " at home", {latin(p.family, a)});
    Node r2 = child(r1, 0x00400008);  // ScheduledProtocolCodeSequence
    put(r2, 0x00080100, "SH", "ORCS2");
    put(r2, 0x00080102, "SH", "99ORC");
    plant(r2, 0x00080104, "LO", "Scheduled for " + pid_, {latin(pid_, a)});
    Node r3 = child(r2, 0x00082218);
    put(r3, 0x00080100, "SH", "ORCS3");
    put(r3, 0x00080102, "SH", "99ORC");
    plant(r3, 0x00080104, "LO", p.given + " left knee", {latin(p.given, a)});

    // A content item (Content Sequence is kept under Clean Structured Content).
    Node c = child(s, 0x0040A730);
    put(c, 0x0040A010, "CS", "CONTAINS");
    put(c, 0x0040A040, "CS", "CODE");
    Node name = child(c, 0x0040A043);
    put(name, 0x00080100, "SH", "ORCC1");
    put(name, 0x00080102, "SH", "99ORC");
    plant(name, 0x00080104, "LO", "Finding of " + p.family, {latin(p.family, a)});
    Node concept = child(c, 0x0040A168);
    put(concept, 0x00080100, "SH", "ORCC2");
    put(concept, 0x00080102, "SH", "99ORC");
    plant(concept, 0x00080104, "LO", "Seen by " + pid_, {latin(pid_, a)});
}

// Public tags no dictionary knows (even groups, unassigned elements): treated like private ones.
void Oracle::unknown_tags(const Node& s, const Person& p) {
    const std::string u = "unknown_public_tag";
    plant(s, 0x00080FFE, "LO", p.pn(), {latin(p.family, u), latin(p.given, u)});
    std::string t4 = token('K');
    plant(s, 0x00189FFE, "LT", "Note " + t4 + " for " + pid_, {latin(t4, u), latin(pid_, u)});
    std::string t5 = token('K');
    plant(s, 0x0040F00D, "UN", t5, {latin(t5, u)}, "written as UN");
    Node d1 = child(s, 0x00081032);  // ProcedureCodeSequence (kept)
    put(d1, 0x00080100, "SH", "ORCP1");
    put(d1, 0x00080102, "SH", "99ORC");
    put(d1, 0x00080104, "LO", "Knee MR");
    std::string t6 = token('K');
    plant(d1, 0x00200FFA, "LO", t6 + " " + accession_, {latin(t6, u), latin(accession_, u)});
}

// Other Patient IDs (multi-valued and every sequence item), issuers and the accession's
// issuer, then descriptors that mention them.
void Oracle::other_ids(const Node& top) {
    const std::string a = "identity_tokens";
    std::string o1 = token('O'), o2 = token('O');
    plant(top, 0x00101000, "LO", o1 + "\\" + o2, {latin(o1, a), latin(o2, a)}, "two values");
    std::string issuer = "ORCH" + std::to_string(n_++) + " Hospital";
    plant(top, 0x00100021, "LO", issuer, {latin(issuer.substr(0, issuer.find(' ')), a)});
    std::vector<std::string> ids, issuers;
    for (int k = 0; k < 3; ++k) {
        Node item = child(top, 0x00101002);
        std::string id = token('O'), iss = "ORCI" + std::to_string(n_++);
        plant(item, 0x00100020, "LO", id, {latin(id, a)});
        plant(item, 0x00100021, "LO", iss + " Clinic", {latin(iss, a)});
        put(item, 0x00100022, "CS", "TEXT");
        Node q = child(item, 0x00100024);  // IssuerOfPatientIDQualifiersSequence
        Node f = child(q, 0x00400036);     // AssigningFacilitySequence
        std::string ns = token('N');
        plant(f, 0x00400031, "UT", ns, {latin(ns, a)});
        ids.push_back(id);
        issuers.push_back(iss);
    }
    Node acc = child(top, 0x00080051);  // IssuerOfAccessionNumberSequence (not listed)
    std::string acc_issuer = token('N');
    plant(acc, 0x00400031, "UT", acc_issuer, {latin(acc_issuer, a)});
    // Descriptors naming those tokens (the descriptors are cleaned, not removed).
    plant(top, 0x00081030, "LO", "CT KNEE " + ids[1] + " " + ascii_case(issuers[2] + " Clinic", false),
          {latin(ids[1], a), latin(issuers[2], a)}, "StudyDescription");
    plant(top, 0x00400254, "LO", "PPS " + o2 + " " + acc_issuer, {latin(o2, a), latin(acc_issuer, a)});
    plant(top, 0x00204000, "LT", "Prior at " + issuer + " as " + ids[2],
          {latin(issuer.substr(0, issuer.find(' ')), a), latin(ids[2], a)});
}

// Real dates near the study day written with a VR other than the dictionary's.
void Oracle::wrong_vr_dates(const Node& s) {
    const std::string a = "wrong_vr_date";
    auto wrong = [&](const Node& n, std::uint32_t tag, const std::string& vr, long day, const std::string& value) {
        plant(n, tag, vr, value, {date_canary(day, a)}, "written as " + vr);
        wrong_vr_.push_back({{"study", study_}, {"tag", tag_text(tag)}, {"vr", vr}, {"depth", n.depth},
                             {"path", n.path + keyword(tag)}, {"value", da(day)}});
    };
    wrong(s, 0x00080021, "LO", day_ - 1, da(day_ - 1));                  // SeriesDate
    wrong(s, 0x00080023, "SH", day_ - 2, da(day_ - 2));                  // ContentDate
    wrong(s, 0x0008002A, "UN", day_ - 3, da(day_ - 3) + "101100");       // AcquisitionDateTime
    Node r = child(s, 0x00400275);                                       // RequestAttributesSequence
    wrong(r, 0x00080020, "LO", day_ + 1, da(day_ + 1));                  // StudyDate, depth 1
    Node pc = child(s, 0x00400260);
    Node pc2 = child(pc, 0x00081032);
    wrong(pc2, 0x00100030, "SH", day_ + 2, da(day_ + 2));                // PatientBirthDate, depth 2
    long birth = day_ - 3 * 365 - 200;
    wrong(s, 0x00100033, "LO", birth, iso(birth));  // PatientBirthDateInAlternativeCalendar: not listed
}

// Identifiers broken by NUL or control characters (joined again once those are dropped), or
// split into a second value or a second PN component group.
void Oracle::split_values(const Node& s, const Person& p, const Person& ideo) {
    const std::string a = "split_control";
    plant(s, 0x0008103E, "LO", "Knee " + pid_.substr(0, 5) + std::string(1, '\0') + pid_.substr(5),
          {latin(pid_, a)}, "NUL inside the patient ID");
    plant(s, 0x00181030, "LO", "knee_" + p.family.substr(0, 4) + "\x01" + p.family.substr(4) + "_pd",
          {latin(p.family, a)}, "SOH inside the family name");
    std::string given = ascii_case(p.given, false);
    plant(s, 0x00321060, "LO", "Knee\\" + given, {latin(p.given, "split_multivalue")}, "second value");
    // The second and third PN component groups name the patient too.
    plant(s, 0x00181400, "LO", "Ortho " + ascii_case(ideo.family, false), {latin(ideo.family, "split_pn_group")},
          "AcquisitionDeviceProcessingDescription, cleaned");
    plant(s, 0x00400007, "LO", "Knee " + ideo.given, {latin(ideo.given, "split_pn_group")},
          "ScheduledProcedureStepDescription, cleaned");
}

// One study per attack case, each with its own patient, so a leaked identifier names its case.
void Oracle::attack_study(const std::string& name) {
    begin_study(name);
    Person p = person(), ideo = person();
    DcmDataset study;
    Node top{&study, "", 0};
    patient(top, p, name == "split" ? p.pn() + "=" + ideo.pn() + "=" + ideo.family : p.pn(), "patient");
    if (name == "split") {
        record(latin(ideo.family, "split_pn_group"), {{"study", study_}, {"path", "PatientName (2nd, 3rd group)"}});
        record(latin(ideo.given, "split_pn_group"), {{"study", study_}, {"path", "PatientName (2nd group)"}});
    }
    study_header(top, "CT KNEE");
    if (name == "ids") other_ids(top);
    DcmDataset ds(study);
    Node s{&ds, "", 0};
    series_header(s, "CT", kCt, 1);
    ct_physics(s, 12.75);
    if (name == "unlisted") unlisted_text(s, p);
    if (name == "unknown") unknown_tags(s, p);
    if (name == "wrongvr") wrong_vr_dates(s);
    if (name == "split") split_values(s, p, ideo);
    put(s, 0x00080018, "UI", uid());
    put(s, 0x00200013, "IS", "1");
    save(ds, 1, 1);
    end_study(name, "CT");
}

// ---- 3. names in non-Latin scripts, written into descriptors in another letter case ----

void Oracle::script_study(const std::string& script) {
    begin_study(script);
    DcmDataset study;
    Node top{&study, "", 0};
    const std::string a = "non_latin_" + script;
    std::string pn, series_desc, study_desc, protocol, comments, keep_word;
    std::vector<Canary> names;
    if (script == "cyrillic") {
        std::string sfx = suffix(kCyrUpper), low = respell(sfx, kCyrUpper, kCyrLower);
        std::string fam = "ИВАНОВ" + sfx, fam_l = "иванов" + low, fam_t = "Иванов" + low;
        pn = fam + "^ПЁТР";
        names = {{fam, {fam_l, fam_t}, a}, {"ПЁТР", {"пётр", "Пётр"}, a}};
        series_desc = fam_l + " контроль";
        study_desc = "МРТ " + fam_t + " Пётр";
        protocol = "t2 пётр " + fam_l;
        comments = "пациент " + fam_t + ", ПЁТР";
        keep_word = "контроль";
    } else if (script == "greek") {
        std::string sfx = suffix(kGrUpper), low = respell(sfx, kGrUpper, kGrLower);
        std::string fam = "ΠΑΠΑ" + sfx + "ΟΠΟΥΛΟΣ", fam_l = "παπα" + low + "οπουλος";
        std::string fam_f = "παπα" + low + "οπουλοσ", fam_t = "Παπα" + low + "οπουλος";
        pn = fam + "^ΝΙΚΟΣ";
        names = {{fam, {fam_l, fam_f, fam_t}, a}, {"ΝΙΚΟΣ", {"νικος", "νικοσ", "Νικος"}, a}};
        series_desc = fam_l + " έλεγχος";
        study_desc = "MRI " + fam_t + " Νικος";
        protocol = "t2 νικος " + fam_l;
        comments = "ασθενής " + fam_t;
        keep_word = "έλεγχος";
    } else {
        std::string sfx = suffix(kCjkDigits);
        std::string fam = "山田" + sfx, latin_fam = "Yamada" + std::to_string(n_++);
        pn = latin_fam + "^Taro=" + fam + "^太郎=やまだ^たろう";
        names = {{fam, {}, a}, {"太郎", {}, a}, {"やまだ", {}, a}, {"たろう", {}, a}, latin(latin_fam, a)};
        series_desc = fam + " フォローアップ";
        study_desc = "MRI やまだ たろう";
        protocol = "t2 " + ascii_case(latin_fam, true);
        comments = "患者 " + fam + " 太郎";
        keep_word = "フォローアップ";
    }
    put(top, 0x00080005, "CS", "ISO_IR 192");
    plant(top, 0x00100010, "PN", pn, names);
    pid_ = token('P');
    plant(top, 0x00100020, "LO", pid_, {latin(pid_, a)});
    accession_ = token('A');
    plant(top, 0x00080050, "SH", accession_, {latin(accession_, a)});
    study_header(top, "");
    plant(top, 0x00081030, "LO", study_desc, names);
    DcmDataset ds(study);
    Node s{&ds, "", 0};
    series_header(s, "MR", kMr, 1);
    mr_physics(s, "2", "3000", "90");
    plant(s, 0x0008103E, "LO", series_desc, names);
    plant(s, 0x00181030, "LO", protocol, names);
    plant(s, 0x00204000, "LT", comments, names);
    must_survive("SeriesDescription keeps its other words", "series", "series_description", keep_word, "contains");
    put(s, 0x00080018, "UI", uid());
    put(s, 0x00200013, "IS", "1");
    save(ds, 1, 1);
    end_study(script, "MR");
}

// ---- 4. a study without PatientID: loaded or refused, its name and real day appear nowhere ----

void Oracle::no_patient_id_study() {
    begin_study("no_patient_id");
    Person p = person();
    DcmDataset ds;
    Node top{&ds, "", 0};
    put(top, 0x00080005, "CS", "ISO_IR 192");
    plant(top, 0x00100010, "PN", p.pn(), {latin(p.family, "no_patient_id"), latin(p.given, "no_patient_id")});
    accession_ = token('A');
    plant(top, 0x00080050, "SH", accession_, {latin(accession_, "no_patient_id")});
    study_header(top, "CT KNEE");
    Node s = top;
    series_header(s, "CT", kCt, 1);
    // Whether such a study loads is not this oracle's question: nothing of it must survive.
    json kept = json::array();
    for (const auto& m : survive_)
        if (m["study_uid"] != study_uid_) kept.push_back(m);
    survive_ = kept;
    plant(s, 0x0008103E, "LO", "Knee " + p.family, {latin(p.family, "no_patient_id")});
    put(s, 0x00080018, "UI", uid());
    put(s, 0x00200013, "IS", "1");
    save(ds, 1, 1);
    end_study("no_patient_id", "CT");
}

}  // namespace leakoracle
