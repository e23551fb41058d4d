// MR lumbar spine planning: each MR scanner gets its own protocol settings (a protocol tree),
// and each study runs a localizer plus 4-6 of the canonical protocols with small jitter.
#include <algorithm>
#include <map>
#include <stdexcept>

#include "fleet.hpp"

namespace fleetgen {

namespace {

struct ProtoRange {
  const char* name;
  double trLo, trHi, teLo, teHi;
  int etlLo, etlHi;
  const char* plane;
  const char* contrast;  // Enhanced MR AcquisitionContrast
  int nex;
};

// Physics-consistent ranges, in exam order. The first entry is the localizer.
const std::vector<ProtoRange> kProtocols = {
    {"LOCALIZER", 7.5, 9.0, 3.5, 4.5, 1, 1, "LOC", "UNKNOWN", 1},
    {"SAG_T2", 3000, 5000, 90, 120, 15, 25, "SAG", "T2", 1},
    {"SAG_T1", 400, 700, 8, 15, 3, 5, "SAG", "T1", 1},
    {"SAG_STIR", 3500, 5000, 30, 70, 10, 16, "SAG", "STIR", 2},
    {"AX_T2", 3000, 5000, 90, 120, 15, 25, "AX", "T2", 2},
    {"AX_T1", 400, 700, 8, 15, 3, 5, "AX", "T1", 1},
    {"COR_T2", 3000, 5000, 90, 120, 15, 25, "COR", "T2", 1},
};

const ProtoRange& range(const std::string& name) {
  for (const auto& r : kProtocols)
    if (name == r.name) return r;
  throw std::logic_error("unknown MR protocol " + name);
}

std::string description(Vendor v, const std::string& p) {
  static const std::map<std::string, std::vector<std::string>> names = {
      // SIEMENS, GE, PHILIPS, CANON
      {"LOCALIZER", {"localizer", "3-Plane Loc", "Survey", "Locator"}},
      {"SAG_T1", {"t1_tse_sag", "Sag T1 FSE", "T1W_TSE_SAG", "SAG T1W FSE"}},
      {"SAG_T2", {"t2_tse_sag", "Sag T2 FSE", "T2W_TSE_SAG", "SAG T2W FSE"}},
      {"SAG_STIR", {"t2_tirm_sag", "Sag STIR", "STIR_SAG", "SAG STIR"}},
      {"AX_T2", {"t2_tse_tra", "Ax T2 FSE", "T2W_TSE_TRA", "AX T2W FSE"}},
      {"AX_T1", {"t1_tse_tra", "Ax T1 FSE", "T1W_TSE_TRA", "AX T1W FSE"}},
      {"COR_T2", {"t2_tse_cor", "Cor T2 FSE", "T2W_TSE_COR", "COR T2W FSE"}},
  };
  return names.at(p)[static_cast<std::size_t>(v)];
}

bool isT1(const std::string& p) { return p == "SAG_T1" || p == "AX_T1"; }

}  // namespace

int normalNex(const std::string& protocol) { return range(protocol).nex; }

void buildMrProtocols(Scanner& s, Rng& rng) {
  std::vector<std::string> optional = {"SAG_STIR", "AX_T1", "COR_T2"};
  rng.shuffle(optional);
  optional.resize(static_cast<std::size_t>(rng.uniformInt(1, 3)));
  const bool three = s.fieldStrength > 2;
  for (const auto& r : kProtocols) {
    const std::string name = r.name;
    const bool core = name == "LOCALIZER" || name == "SAG_T1" || name == "SAG_T2" || name == "AX_T2";
    if (!core && std::find(optional.begin(), optional.end(), name) == optional.end()) continue;
    ProtocolBase b;
    b.protocol = name;
    b.tr = rng.uniform(r.trLo, r.trHi);
    b.te = fmtNum(rng.uniform(r.teLo, r.teHi), 1).v;
    b.etl = rng.uniformInt(r.etlLo, r.etlHi);
    b.nex = r.nex;
    const std::string plane = r.plane;
    if (name == "LOCALIZER") {
      b.flip = 20;
      b.thk = rng.pick(std::vector<double>{7, 8, 10});
      b.gapFactor = 1.5;
      b.fov = rng.pick(std::vector<double>{450, 480, 500});
      b.freq = 256;
      b.phase = rng.pick(std::vector<int>{128, 160, 192});
      b.bw = rng.uniform(300, 450);
    } else {
      switch (s.vendor) {
        case Vendor::Siemens: b.flip = isT1(name) ? 150 : 160; break;
        case Vendor::GE: b.flip = isT1(name) ? rng.uniformInt(90, 111) : 90; break;
        case Vendor::Philips: b.flip = 90; break;
        default: b.flip = rng.uniformInt(90, 150); break;
      }
      b.thk = plane == "AX" ? rng.pick(std::vector<double>{3.0, 4.0}) : plane == "COR" ? 3.5
                                                                        : rng.pick(std::vector<double>{3.5, 4.0});
      b.gapFactor = rng.pick(std::vector<double>{1.1, 1.2});
      b.fov = plane == "AX" ? rng.uniformInt(180, 220) : rng.uniformInt(260, 320);
      b.freq = name == "SAG_STIR" ? rng.pick(std::vector<int>{256, 320}) : rng.pick(std::vector<int>{320, 384});
      b.phase = static_cast<int>(b.freq * rng.uniform(0.7, 0.9) + 0.5);
      b.pf = rng.chance(three ? 0.6 : 0.3) ? 2 : 1;
      b.bw = isT1(name) ? rng.uniform(150, 260) : rng.uniform(180, 300);
      if (name == "SAG_STIR") b.ti = three ? 220 : 150;
    }
    s.protocols.push_back(b);
  }
}

namespace {

SeriesSpec makeSeries(const Fleet& f, const Scanner& sc, const ProtocolBase& b, Rng& rng) {
  const ProtoRange& r = range(b.protocol);
  const bool loc = b.protocol == "LOCALIZER";
  SeriesSpec s;
  s.protocol = b.protocol;
  s.modality = "MR";
  s.description = description(sc.vendor, b.protocol);
  s.plane = r.plane;
  s.contrast = r.contrast;
  s.enhanced = sc.enhanced && !loc;
  s.sopClass = s.enhanced ? "1.2.840.10008.5.1.4.1.1.4.1" : "1.2.840.10008.5.1.4.1.1.4";
  s.files = s.enhanced ? 1 : f.opt.instancesPerSeries;
  s.frames = s.enhanced ? f.opt.instancesPerSeries : 1;

  int nex = b.nex;
  for (const auto& p : f.planted)
    if (p.scanner == sc.index && p.protocol == b.protocol) nex = p.nex;

  s.tr = fmtNum(std::clamp(b.tr * (1.0 + rng.uniform(-0.02, 0.02)), r.trLo, r.trHi), loc ? 2 : 1);
  s.te = fmtNum(b.te, 2);
  s.hasTi = b.ti > 0;
  if (s.hasTi) s.ti = fmtNum(b.ti, 1);
  s.etl = b.etl;
  s.flip = fmtNum(b.flip, 0);
  s.nex = fmtNum(nex, 0);
  s.thk = fmtNum(b.thk, 1);
  s.spacing = fmtNum(b.thk * b.gapFactor, 2);
  s.fov = fmtNum(b.fov, 1);
  s.pf = fmtNum(b.pf, 1);
  s.bw = fmtNum(b.bw, 0);
  s.pctPhase = fmtNum(100.0 * b.phase / b.freq < 90 ? 87.5 : 100.0, 2);
  s.fieldStrength = fmtNum(sc.fieldStrength, 1);
  s.freq = b.freq;
  s.phase = b.phase;

  const bool siemens = sc.vendor == Vendor::Siemens;
  if (loc) {
    s.scanSeq = "GR";
    s.seqVariant = siemens ? "SP\\OSP" : "SP";
    s.seqName = siemens ? "*fl2d1" : sc.vendor == Vendor::GE ? "3-plane" : "FFE";
  } else if (b.protocol == "SAG_STIR") {
    s.scanSeq = "SE\\IR";
    s.seqVariant = siemens ? "SK\\SP\\MP\\OSP" : "SK\\SP\\MP";
    s.scanOptions = "IR";
    s.seqName = siemens ? "*tir2d1_" + std::to_string(b.etl) : sc.vendor == Vendor::GE ? "fse-ir" : "IR";
  } else {
    s.scanSeq = "SE";
    s.seqVariant = siemens ? "SK\\SP\\OSP" : "SK\\SP";
    if (sc.vendor == Vendor::GE) s.scanOptions = "FAST_GEMS";
    s.seqName = siemens ? "*tse2d1_" + std::to_string(b.etl) : sc.vendor == Vendor::GE ? "fse-xl" : "TSE";
  }

  // TA = TR x phase steps x NEX / (ETL x parallel factor); the GRE localizer acquires its
  // nine slices (three per plane) one after the other.
  double ta = s.tr.v * s.phase * s.nex.v / (s.etl * s.pf.v) / 1000.0;
  if (loc) ta *= 9;
  s.duration = std::max(1, static_cast<int>(ta + 0.5));
  return s;
}

}  // namespace

void planMrStudy(const Fleet& f, StudySpec& st, Rng& rng) {
  const Scanner& sc = f.scanners[static_cast<std::size_t>(st.scanner)];
  st.description = "MR LUMBAR SPINE";
  st.bodyPart = "LSPINE";
  st.procCode = "MRLSP";

  std::vector<const ProtocolBase*> chosen;
  bool anyOptional = false;
  const ProtocolBase* firstOptional = nullptr;
  for (const auto& b : sc.protocols) {
    const std::string& p = b.protocol;
    const bool core = p == "LOCALIZER" || p == "SAG_T1" || p == "SAG_T2" || p == "AX_T2";
    bool planted = false;
    for (const auto& pl : f.planted) planted = planted || (pl.scanner == sc.index && pl.protocol == p);
    if (!core && !firstOptional) firstOptional = &b;
    const bool take = core || planted || rng.chance(0.85);
    if (take) chosen.push_back(&b);
    if (take && !core) anyOptional = true;
  }
  if (!anyOptional && firstOptional) {
    chosen.push_back(firstOptional);
    std::sort(chosen.begin(), chosen.end());  // protocols vector is in exam order
  }

  int t = rng.uniformInt(120, 300);  // patient positioning, coil setup
  for (std::size_t i = 0; i < chosen.size(); ++i) {
    SeriesSpec s = makeSeries(f, sc, *chosen[i], rng);
    s.number = static_cast<int>(i) + 1;
    s.offset = t;
    t += s.duration + rng.uniformInt(15, 90);
    st.series.push_back(std::move(s));
  }
  st.duration = t + rng.uniformInt(45, 150);
}

}  // namespace fleetgen
