#include "util.hpp"

#include <cstdio>
#include <cstdlib>
#include <stdexcept>

namespace fleetgen {

std::uint64_t mix64(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

Num fmtNum(double value, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
  Num n;
  n.s = buf;
  if (n.s == "-0" || n.s.rfind("-0.", 0) == 0) {
    // Avoid "-0.00" for values that round to zero.
    bool allZero = true;
    for (char c : n.s)
      if (c >= '1' && c <= '9') allZero = false;
    if (allZero) n.s.erase(0, 1);
  }
  n.v = std::strtod(n.s.c_str(), nullptr);
  return n;
}

std::string dsMulti(const std::vector<double>& values, int decimals) {
  std::string out;
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i) out += '\\';
    out += fmtNum(values[i], decimals).s;
  }
  return out;
}

// Howard Hinnant's days_from_civil / civil_from_days.
long daysFromCivil(int y, int m, int d) {
  y -= m <= 2;
  const long era = (y >= 0 ? y : y - 399) / 400;
  const long yoe = y - era * 400;
  const long doy = (153L * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

void civilFromDays(long z, int& y, int& m, int& d) {
  z += 719468;
  const long era = (z >= 0 ? z : z - 146096) / 146097;
  const long doe = z - era * 146097;
  const long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const long mp = (5 * doy + 2) / 153;
  d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  y = static_cast<int>(yoe + era * 400 + (m <= 2));
}

bool parseIsoDate(const std::string& text, long& days) {
  int y = 0, m = 0, d = 0;
  char tail = 0;
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return false;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3) return false;
  if (y < 1900 || y > 9999 || m < 1 || m > 12 || d < 1 || d > 31) return false;
  days = daysFromCivil(y, m, d);
  int y2, m2, d2;
  civilFromDays(days, y2, m2, d2);
  return y2 == y && m2 == m && d2 == d;  // rejects 2026-02-30
}

namespace {
void split(Stamp t, int& y, int& mo, int& d, int& h, int& mi, int& s) {
  long day = static_cast<long>(t / 86400);
  long sec = static_cast<long>(t % 86400);
  if (sec < 0) {
    sec += 86400;
    --day;
  }
  civilFromDays(day, y, mo, d);
  h = static_cast<int>(sec / 3600);
  mi = static_cast<int>(sec / 60 % 60);
  s = static_cast<int>(sec % 60);
}
std::string fmtStamp(Stamp t, const char* pattern, int parts) {
  int y, mo, d, h, mi, s;
  split(t, y, mo, d, h, mi, s);
  char buf[40];
  switch (parts) {
    case 0: std::snprintf(buf, sizeof buf, pattern, y, mo, d); break;
    case 1: std::snprintf(buf, sizeof buf, pattern, h, mi, s); break;
    default: std::snprintf(buf, sizeof buf, pattern, y, mo, d, h, mi, s); break;
  }
  return buf;
}
}  // namespace

std::string dicomDate(Stamp t) { return fmtStamp(t, "%04d%02d%02d", 0); }
std::string dicomTime(Stamp t) { return fmtStamp(t, "%02d%02d%02d", 1); }
std::string dicomDateTime(Stamp t) { return fmtStamp(t, "%04d%02d%02d%02d%02d%02d", 2); }
std::string isoDate(Stamp t) { return fmtStamp(t, "%04d-%02d-%02d", 0); }
std::string isoTime(Stamp t) { return fmtStamp(t, "%02d:%02d:%02d", 1); }
std::string isoDateTime(Stamp t) { return fmtStamp(t, "%04d-%02d-%02dT%02d:%02d:%02d", 2); }

std::string dicomAge(const std::string& birth, long atDay) {
  const int by = std::atoi(birth.substr(0, 4).c_str());
  const int bm = std::atoi(birth.substr(4, 2).c_str());
  const int bd = std::atoi(birth.substr(6, 2).c_str());
  int y, m, d;
  civilFromDays(atDay, y, m, d);
  int years = y - by - ((m < bm || (m == bm && d < bd)) ? 1 : 0);
  if (years < 0) years = 0;
  return zeroPad(years, 3) + "Y";
}

bool isAscii(const std::string& s) {
  for (unsigned char c : s)
    if (c >= 0x80) return false;
  return true;
}

bool utf8ToLatin1(const std::string& in, std::string& out) {
  out.clear();
  for (std::size_t i = 0; i < in.size();) {
    const unsigned char c = static_cast<unsigned char>(in[i]);
    if (c < 0x80) {
      out += static_cast<char>(c);
      ++i;
    } else if ((c & 0xE0) == 0xC0 && i + 1 < in.size()) {
      const unsigned cp = ((c & 0x1Fu) << 6) | (static_cast<unsigned char>(in[i + 1]) & 0x3Fu);
      if (cp > 0xFF) return false;
      out += static_cast<char>(cp);
      i += 2;
    } else {
      return false;  // three- and four-byte sequences are all above U+00FF
    }
  }
  return true;
}

std::string encodeFor(const std::string& utf8, const std::string& charset) {
  if (charset == "ISO_IR 192" || isAscii(utf8)) return utf8;
  std::string latin1;
  if (charset == "ISO_IR 100" && utf8ToLatin1(utf8, latin1)) return latin1;
  throw std::logic_error("cannot encode '" + utf8 + "' in character set '" + charset + "'");
}

std::string zeroPad(long value, int width) {
  std::string s = std::to_string(value);
  if (static_cast<int>(s.size()) < width) s.insert(0, static_cast<std::size_t>(width) - s.size(), '0');
  return s;
}

}  // namespace fleetgen
