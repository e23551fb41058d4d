// Fleet planning: scanners, planted NEX pairs, study-to-scanner assignment, scheduling,
// patients and character sets. The modality-specific series plans are in plan_mr.cpp and
// plan_ct.cpp. Every random draw goes through one Rng in a fixed order.
#include <algorithm>
#include <map>
#include <set>
#include <stdexcept>

#include "fleet.hpp"

namespace fleetgen {

namespace {

const char* const kUidRoot = "1.2.826.0.1.3680043.10.1234.";

struct ModelInfo {
  const char* manufacturer;
  const char* model;
  double field;  // 0: either 1.5 or 3.0
  const char* software;
};

const std::vector<ModelInfo>& mrModels(Vendor v) {
  static const std::vector<ModelInfo> siemens = {{"SIEMENS", "MAGNETOM Aera", 1.5, "syngo MR E11"},
                                                 {"SIEMENS", "MAGNETOM Vida", 3.0, "syngo MR XA50"},
                                                 {"SIEMENS", "MAGNETOM Skyra", 3.0, "syngo MR E11"},
                                                 {"SIEMENS", "MAGNETOM Sola", 1.5, "syngo MR XA31"}};
  static const std::vector<ModelInfo> ge = {{"GE MEDICAL SYSTEMS", "SIGNA Artist", 1.5, "MR30.1_R01"},
                                            {"GE MEDICAL SYSTEMS", "SIGNA Premier", 3.0, "MR30.1_R01"},
                                            {"GE MEDICAL SYSTEMS", "SIGNA Explorer", 1.5, "DV26.0_R05"},
                                            {"GE MEDICAL SYSTEMS", "DISCOVERY MR750", 3.0, "DV26.0_R03"}};
  static const std::vector<ModelInfo> philips = {{"Philips Medical Systems", "Ingenia", 0, "5.7.1"},
                                                 {"Philips Medical Systems", "Achieva", 0, "5.4.1"}};
  static const std::vector<ModelInfo> canon = {{"CANON_MEC", "Vantage Orian", 1.5, "V6.0"},
                                               {"CANON_MEC", "Vantage Galan 3T", 3.0, "V7.0"},
                                               {"TOSHIBA", "Vantage Titan", 1.5, "V4.50"}};
  switch (v) {
    case Vendor::Siemens: return siemens;
    case Vendor::GE: return ge;
    case Vendor::Philips: return philips;
    default: return canon;
  }
}

const std::vector<ModelInfo>& ctModels(Vendor v) {
  static const std::vector<ModelInfo> siemens = {{"SIEMENS", "SOMATOM Definition Flash", 0, "syngo CT VA48A"},
                                                 {"SIEMENS", "SOMATOM Force", 0, "syngo CT VB20A"},
                                                 {"SIEMENS", "SOMATOM go.Top", 0, "syngo CT VA30A"}};
  static const std::vector<ModelInfo> ge = {{"GE MEDICAL SYSTEMS", "Revolution CT", 0, "revo_ct_22.0"},
                                            {"GE MEDICAL SYSTEMS", "Revolution EVO", 0, "Revo_EVO.2"},
                                            {"GE MEDICAL SYSTEMS", "Optima CT660", 0, "CT660_SP1.4"}};
  static const std::vector<ModelInfo> philips = {{"Philips", "Brilliance 64", 0, "4.1.6"},
                                                 {"Philips", "IQon - Spectral CT", 0, "4.7.5"},
                                                 {"Philips", "Incisive CT", 0, "5.0.0"}};
  static const std::vector<ModelInfo> canon = {{"CANON_MEC", "Aquilion ONE", 0, "V10.2"},
                                               {"CANON_MEC", "Aquilion Prime SP", 0, "V10.0"},
                                               {"TOSHIBA", "Aquilion 64", 0, "V4.86ER008"}};
  switch (v) {
    case Vendor::Siemens: return siemens;
    case Vendor::GE: return ge;
    case Vendor::Philips: return philips;
    default: return canon;
  }
}

std::string makeSerial(Vendor v, const std::string& modality, Rng& rng) {
  switch (v) {
    case Vendor::Siemens: return std::to_string(rng.uniformInt(40000, 179999));
    case Vendor::GE: {
      const int number = rng.uniformInt(100000, 999999);  // separate statements: draw order must be fixed
      return zeroPad(number, 10) + modality + std::to_string(rng.uniformInt(1, 9));
    }
    case Vendor::Philips: return std::to_string(rng.uniformInt(40000, 79999));
    default: return std::string(modality == "MR" ? "MAA" : "CAA") + zeroPad(rng.uniformInt(1000000, 9999999), 7);
  }
}

std::string makeStation(const Scanner& s, Rng& rng) {
  switch (s.vendor) {
    case Vendor::Siemens: return (s.modality == "MR" ? "AWP" : "CT") + s.serial;
    case Vendor::GE: return "GEHC" + s.modality + zeroPad(s.index + 1, 2);
    case Vendor::Philips: {
      static const char alnum[] = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789";
      std::string tail;
      for (int i = 0; i < 6; ++i) tail += alnum[rng.uniformInt(0, 33)];
      return "PHILIPS-" + tail;
    }
    default: return "CANON" + s.modality + zeroPad(s.index + 1, 2);
  }
}

void buildScanners(Fleet& f, Rng& rng) {
  const int n = f.opt.scanners;
  std::vector<Vendor> order = {Vendor::Siemens, Vendor::GE, Vendor::Philips, Vendor::Canon};
  rng.shuffle(order);

  int nCt = static_cast<int>(n * f.opt.ctShare + 0.5);
  if (n >= 4 && f.opt.ctShare > 0 && nCt < 1) nCt = 1;
  if (n >= 2 && f.opt.ctShare < 1 && nCt > n - 1) nCt = n - 1;
  nCt = std::clamp(nCt, 0, n);
  std::vector<int> idx(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) idx[static_cast<std::size_t>(i)] = i;
  rng.shuffle(idx);
  // CT scanners go to distinct vendors first, so every vendor keeps MR scanners if it can.
  std::set<int> ctSet;
  std::set<int> ctVendors;
  for (int pass = 0; pass < 2; ++pass)
    for (int i : idx)
      if (static_cast<int>(ctSet.size()) < nCt && !ctSet.count(i) && (pass == 1 || ctVendors.insert(i % 4).second))
        ctSet.insert(i);

  static const std::vector<std::string> institutions = {"Klinikum Süd", "St. Elisabeth Hospital",
                                                        "Hôpital Sainte-Anne", "Northside Imaging Center"};
  const int nInst = std::clamp((n + 2) / 3, 1, 4);
  bool haveVida = false, haveIngenia = false;
  std::set<std::string> serials;
  for (int i = 0; i < n; ++i) {
    Scanner s;
    s.index = i;
    s.vendor = order[static_cast<std::size_t>(i % 4)];
    s.modality = ctSet.count(i) ? "CT" : "MR";
    const bool mr = s.modality == "MR";
    const auto& models = mr ? mrModels(s.vendor) : ctModels(s.vendor);
    ModelInfo m = rng.pick(models);
    // Make sure a fleet with Siemens / Philips MR also has the enhanced flavours.
    if (mr && s.vendor == Vendor::Siemens && !haveVida) m = models[1];
    if (mr && s.vendor == Vendor::Philips && !haveIngenia) m = models[0];
    s.manufacturer = m.manufacturer;
    s.model = m.model;
    s.software = m.software;
    s.enhanced = mr && (s.model == "MAGNETOM Vida" || s.model == "Ingenia");
    haveVida = haveVida || s.model == "MAGNETOM Vida";
    haveIngenia = haveIngenia || s.model == "Ingenia";
    if (mr) s.fieldStrength = m.field > 0 ? m.field : (rng.chance(0.5) ? 1.5 : 3.0);
    do {
      s.serial = makeSerial(s.vendor, s.modality, rng);
    } while (!serials.insert(s.serial).second);
    s.station = makeStation(s, rng);
    s.institution = institutions[static_cast<std::size_t>(i % nInst)];
    s.deviceUid = makeUid(f.opt.seed, kDevice, i + 1);
    if (mr) buildMrProtocols(s, rng);
    f.scanners.push_back(std::move(s));
  }
}

void plantNex(Fleet& f, Rng& rng) {
  std::vector<int> mr;
  for (const auto& s : f.scanners)
    if (s.modality == "MR") mr.push_back(s.index);
  if (mr.empty()) return;
  const int count = std::max(1, (static_cast<int>(mr.size()) + 1) / 3);
  rng.shuffle(mr);
  mr.resize(static_cast<std::size_t>(count));
  std::sort(mr.begin(), mr.end());
  for (int si : mr) {
    const auto& protos = f.scanners[static_cast<std::size_t>(si)].protocols;
    const std::string& p = protos[static_cast<std::size_t>(rng.uniformInt(1, static_cast<int>(protos.size()) - 1))].protocol;
    Planted pl;
    pl.scanner = si;
    pl.protocol = p;
    pl.normalNex = normalNex(p);
    pl.nex = pl.normalNex + 2;
    f.planted.push_back(pl);
  }
}

// Lays out the studies of one scanner-day between 07:00 and 20:00 with random gaps.
void scheduleDay(std::vector<StudySpec*>& day, Rng& rng) {
  const int open = 7 * 3600, window = 13 * 3600, minGap = 60;
  const int n = static_cast<int>(day.size());
  long total = 0;
  for (auto* s : day) total += s->duration;
  const long slack = window - total - static_cast<long>(minGap) * (n + 1);
  std::vector<double> w(static_cast<std::size_t>(n + 1));
  double sum = 0;
  for (auto& x : w) sum += (x = rng.uniform(0.3, 1.0));
  long t = open;
  for (int i = 0; i < n; ++i) {
    long gap = minGap;
    if (slack > 0) gap += static_cast<long>(static_cast<double>(slack) * 0.9 * w[static_cast<std::size_t>(i)] / sum);
    t += gap;
    day[static_cast<std::size_t>(i)]->start = static_cast<int>(t);
    t += day[static_cast<std::size_t>(i)]->duration;
  }
  if (t > 86399 - 60)
    throw std::runtime_error("too many studies for one scanner-day (" + std::to_string(n) +
                             "); use more scanners or a longer --from/--to range");
}

const std::vector<std::string> kAsciiFamily = {"Smith", "Meyer", "Schmidt", "Rossi", "Dubois", "Jansen", "Novak",
                                               "Kowalski", "Nilsson", "Hansen", "Fischer", "Weber", "Moreau",
                                               "Bianchi", "Silva", "Brown", "Taylor", "Wilson", "Clark", "Walker",
                                               "Young", "King", "Becker", "Wagner", "Costa", "Murphy"};
const std::vector<std::string> kAsciiGiven = {"Anna", "Peter", "Maria", "John", "Laura", "Thomas", "Eva",
                                              "Lukas", "Sofia", "Jan", "Emma", "Paul", "Lea", "Max",
                                              "Nina", "Oliver", "Clara", "David", "Ines", "Martin"};
const std::vector<std::string> kLatinFamily = {"Müller", "Schäfer", "Großmann", "Lefèvre", "Núñez",
                                               "Sørensen", "Åström", "Köhler", "Gonçalves"};
const std::vector<std::string> kLatinGiven = {"Jörg", "Bärbel", "Amélie", "José", "Søren", "Björn", "Renée", "Zoë"};
const std::vector<std::string> kWideNames = {"Đoković^Ana", "山田^太郎", "Dvořák^Zdeněk", "Wałęsa^Łukasz",
                                             "Παπαδόπουλος^Νίκος", "Иванов^Сергей", "김^민준", "Şahin^Elif"};

Patient newPatient(Fleet& f, long day, bool asciiOnly, Rng& rng) {
  const std::size_t idx = f.patients.size();
  Patient p;
  if (!asciiOnly && idx == 0) p.name = "Müller^Jörg";
  else if (!asciiOnly && idx == 1) p.name = "山田^太郎";
  else if (!asciiOnly && idx == 2) p.name = "Đoković^Ana";
  else {
    const double r = asciiOnly ? 0.0 : rng.u01();
    // One draw per statement: the evaluation order of `a + b` is unspecified.
    if (r < 0.85) {
      const std::string family = rng.pick(r < 0.7 ? kAsciiFamily : kLatinFamily);
      p.name = family + "^" + rng.pick(r < 0.7 ? kAsciiGiven : kLatinGiven);
    } else {
      p.name = rng.pick(kWideNames);
    }
  }
  const std::uint64_t seed = f.opt.seed;
  p.id = "P" + std::to_string(1000000 + (idx * 104729ULL + seed * 31ULL) % 9000000ULL);
  p.otherId = "NID" + zeroPad(static_cast<long>((idx * 7919ULL + seed * 17ULL) % 100000000ULL), 8);
  p.sex = rng.chance(0.5) ? "F" : "M";
  const int age = rng.uniformInt(18, 89);
  p.birth = dicomDate(stampOf(day - age * 365L - age / 4 - rng.uniformInt(0, 364), 0));
  p.height = fmtNum(std::clamp(rng.normal(1.72, 0.09), 1.45, 2.05), 2);
  p.weight = fmtNum(std::clamp(rng.normal(78.0, 14.0), 45.0, 150.0), 1);
  f.patients.push_back(p);
  return p;
}

void assignPeople(Fleet& f, Rng& rng) {
  static const std::vector<std::string> referring = {"Smith^John^^Dr.", "Meyer^Karin^^Dr.", "Schröder^Anna^^Dr.",
                                                     "Lefèvre^Jean^^Dr.", "Okafor^Chidi^^Dr.", "Lindqvist^Per^^Dr."};
  static const std::vector<std::string> operators = {"Tech^Kim", "Jansen^Pia", "Brandt^Ole", "Nowak^Eva",
                                                     "Wójcik^Marta", "Fernández^Luis"};
  for (auto& st : f.studies) {
    if (!f.patients.empty() && rng.chance(0.2))
      st.patient = rng.uniformInt(0, static_cast<int>(f.patients.size()) - 1);
    else {
      newPatient(f, st.day, false, rng);
      st.patient = static_cast<int>(f.patients.size()) - 1;
    }
    st.referring = rng.pick(referring);
    st.operatorName = rng.pick(operators);
    st.accession = "A" + std::to_string(10000000 + (st.number * 7919ULL + f.opt.seed * 13ULL) % 90000000ULL);
    st.privateNumber = fmtNum(rng.uniform(0.0, 1000.0), 2);
    st.comment = "Patient " + f.patients[static_cast<std::size_t>(st.patient)].name +
                 " tolerated the examination well.";
  }
  for (auto& st : f.studies)
    if (st.fails) {
      newPatient(f, st.day, true, rng);
      st.failPatient = static_cast<int>(f.patients.size()) - 1;
    }
}

// 0 = all ASCII, 1 = fits Latin-1, 2 = needs UTF-8.
int textClass(const Fleet& f, const StudySpec& st) {
  const std::string all = f.patients[static_cast<std::size_t>(st.patient)].name + st.referring + st.operatorName +
                          f.scanners[static_cast<std::size_t>(st.scanner)].institution + st.comment;
  std::string tmp;
  if (isAscii(all)) return 0;
  return utf8ToLatin1(all, tmp) ? 1 : 2;
}

void assignCharsets(Fleet& f, Rng& rng) {
  for (auto& st : f.studies) {
    const int c = textClass(f, st);
    st.charset = c == 0 ? (rng.chance(0.5) ? "" : "ISO_IR 100")
                        : c == 1 ? (rng.chance(0.5) ? "ISO_IR 100" : "ISO_IR 192") : "ISO_IR 192";
  }
  // Guarantee both flavours of non-ASCII text where the fleet allows it.
  auto has = [&](const std::string& cs) {
    for (const auto& st : f.studies)
      if (st.charset == cs && textClass(f, st) != 0) return true;
    return false;
  };
  if (!has("ISO_IR 100"))
    for (auto& st : f.studies)
      if (textClass(f, st) == 1) {
        st.charset = "ISO_IR 100";
        break;
      }
  if (!has("ISO_IR 192"))
    for (auto& st : f.studies)
      if (textClass(f, st) == 2) {
        st.charset = "ISO_IR 192";
        break;
      }
}

}  // namespace

const char* vendorKey(Vendor v) {
  switch (v) {
    case Vendor::Siemens: return "SIEMENS";
    case Vendor::GE: return "GE";
    case Vendor::Philips: return "PHILIPS";
    default: return "CANON";
  }
}

std::string makeUid(std::uint64_t seed, int kind, long a, long b, long c) {
  std::string uid = kUidRoot + std::to_string(seed) + "." + std::to_string(kind) + "." + std::to_string(a);
  if (b >= 0) uid += "." + std::to_string(b);
  if (c >= 0) uid += "." + std::to_string(c);
  if (uid.size() > 64) throw std::runtime_error("UID longer than 64 characters: " + uid);
  return uid;
}

std::vector<Stamp> acquisitionStamps(const StudySpec& study, const SeriesSpec& series, int count) {
  std::vector<Stamp> out;
  const Stamp start = study.startStamp() + series.offset;
  for (int i = 0; i < count; ++i)
    out.push_back(count > 1 ? start + static_cast<Stamp>(i) * series.duration / (count - 1) : start);
  return out;
}

Fleet planFleet(const Options& opt) {
  Fleet f;
  f.opt = opt;
  if (opt.scanners < 1) throw std::runtime_error("--scanners must be at least 1");
  if (opt.studies < 0 || opt.failStudies < 0) throw std::runtime_error("--studies/--fail-studies must be >= 0");
  if (opt.instancesPerSeries < 1) throw std::runtime_error("--instances-per-series must be at least 1");
  if (opt.ctShare < 0 || opt.ctShare > 1) throw std::runtime_error("--ct-share must be within [0, 1]");
  if (opt.seed > 4294967295ULL) throw std::runtime_error("--seed must be below 2^32 (it is part of every UID)");
  if (!parseIsoDate(opt.from, f.fromDay) || !parseIsoDate(opt.to, f.toDay))
    throw std::runtime_error("--from/--to must be valid dates YYYY-MM-DD");
  if (f.toDay < f.fromDay) throw std::runtime_error("--to is before --from");

  Rng rng(opt.seed);
  buildScanners(f, rng);
  plantNex(f, rng);

  // Balanced assignment of studies to (scanner, day) slots, reshuffled every round.
  const int days = static_cast<int>(f.toDay - f.fromDay + 1);
  std::vector<std::pair<int, int>> slots, mrSlots;
  for (const auto& s : f.scanners)
    for (int d = 0; d < days; ++d) {
      slots.emplace_back(s.index, d);
      if (s.modality == "MR") mrSlots.emplace_back(s.index, d);
    }
  if (opt.failStudies > 0 && mrSlots.empty()) throw std::runtime_error("--fail-studies needs at least one MR scanner");
  auto place = [&](std::vector<std::pair<int, int>>& pool, int i, bool fails) {
    if (i % static_cast<int>(pool.size()) == 0) rng.shuffle(pool);
    const auto& slot = pool[static_cast<std::size_t>(i) % pool.size()];
    StudySpec st;
    st.scanner = slot.first;
    st.day = f.fromDay + slot.second;
    st.fails = fails;
    st.modality = f.scanners[static_cast<std::size_t>(st.scanner)].modality;
    if (st.modality == "MR") planMrStudy(f, st, rng);
    else planCtStudy(f, st, rng);
    f.studies.push_back(std::move(st));
  };
  for (int i = 0; i < opt.studies; ++i) place(slots, i, false);
  for (int i = 0; i < opt.failStudies; ++i) place(mrSlots, i, true);

  std::map<std::pair<int, long>, std::vector<StudySpec*>> buckets;
  for (auto& st : f.studies) buckets[{st.scanner, st.day}].push_back(&st);
  for (auto& b : buckets) scheduleDay(b.second, rng);

  std::sort(f.studies.begin(), f.studies.end(), [](const StudySpec& a, const StudySpec& b) {
    if (a.day != b.day) return a.day < b.day;
    if (a.start != b.start) return a.start < b.start;
    return a.scanner < b.scanner;
  });
  for (std::size_t i = 0; i < f.studies.size(); ++i) {
    StudySpec& st = f.studies[i];
    st.number = static_cast<int>(i) + 1;
    st.uid = makeUid(opt.seed, kStudy, st.number);
    for (auto& se : st.series) {
      se.uid = makeUid(opt.seed, kSeries, st.number, se.number);
      if (st.modality == "CT" && se.isImage())
        se.eventUid = makeUid(opt.seed, kEvent, st.number, se.number);
    }
  }
  assignPeople(f, rng);
  assignCharsets(f, rng);
  return f;
}

}  // namespace fleetgen
