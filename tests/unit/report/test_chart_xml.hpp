// Chart tests' independent readers: Python's XML parser (not librsvg, not our code) reads the
// SVG back, and librsvg's own strict parser must accept it too.
#pragma once

#include <librsvg/rsvg.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

namespace dicomlake::report::chart::testing {

// What Python's xml.etree sees in each document: the root tag, <title>, <desc>, whether
// aria-labelledby names exactly their ids, every <text>'s text, and tooltips (nested <title>s).
// One interpreter for all the documents: starting Python is the slow part.
inline std::vector<nlohmann::json> read_with_python(const std::vector<std::string>& svgs) {
    static const char* const kScript = R"PY(
import json, sys, xml.etree.ElementTree as E
ns = '{http://www.w3.org/2000/svg}'
def read(path):
  try:
    root = E.parse(path).getroot()
  except Exception as e:
    return {'error': str(e)}
  title, desc = root.find(ns + 'title'), root.find(ns + 'desc')
  ids = [title.get('id') if title is not None else None, desc.get('id') if desc is not None else None]
  return {
    'root': root.tag,
    'title': title.text if title is not None else None,
    'desc': desc.text if desc is not None else None,
    'ids': ids,
    'ids_ok': (root.get('aria-labelledby') or '').split() == ids and None not in ids,
    'texts': [''.join(t.itertext()) for t in root.iter(ns + 'text')],
    'tips': [t.text for e in root.iter() if e is not root for t in e.findall(ns + 'title')],
  }
print(json.dumps([read(p) for p in sys.argv[1:]]))
)PY";
    char dir[] = "/tmp/chart-test-XXXXXX";
    if (!mkdtemp(dir)) return std::vector<nlohmann::json>(svgs.size(), nlohmann::json{{"error", "no temporary directory"}});
    std::string script_path = std::string(dir) + "/read.py", command = "python3 " + script_path;
    std::ofstream(script_path) << kScript;
    for (std::size_t i = 0; i < svgs.size(); ++i) {
        std::string path = std::string(dir) + "/" + std::to_string(i) + ".svg";
        std::ofstream(path, std::ios::binary) << svgs[i];
        command += " " + path;
    }
    command += " 2>&1";
    std::string output;
    if (FILE* p = popen(command.c_str(), "r")) {
        char buf[4096];
        std::size_t n;
        while ((n = fread(buf, 1, sizeof buf, p)) > 0) output.append(buf, n);
        pclose(p);
    }
    for (std::size_t i = 0; i < svgs.size(); ++i)
        std::remove((std::string(dir) + "/" + std::to_string(i) + ".svg").c_str());
    std::remove(script_path.c_str());
    rmdir(dir);
    auto parsed = nlohmann::json::parse(output, nullptr, false);
    if (parsed.is_discarded() || !parsed.is_array() || parsed.size() != svgs.size())
        return std::vector<nlohmann::json>(svgs.size(), nlohmann::json{{"error", output}});
    return parsed.get<std::vector<nlohmann::json>>();
}

inline nlohmann::json read_with_python(const std::string& svg) {
    return read_with_python(std::vector<std::string>{svg})[0];
}

inline bool librsvg_parses(const std::string& svg) {
    GError* error = nullptr;
    RsvgHandle* h = rsvg_handle_new_from_data(reinterpret_cast<const guint8*>(svg.data()), svg.size(), &error);
    if (error) g_error_free(error);
    if (!h) return false;
    g_object_unref(h);
    return true;
}

}  // namespace dicomlake::report::chart::testing
