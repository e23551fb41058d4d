// A real headless Chromium for tests: opens one local page, screenshots it, and reports what the
// page asked the network for and what it printed to the console. No lab needed.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace dicomlake::testing {

// Path of `chromium` on PATH, or empty.
std::string find_chromium();

struct BrowserRun {
    int exit_code = -1;
    std::string command_line;
    std::string log;                          // Chromium's stdout and stderr
    std::vector<std::string> console;         // the page's console messages (log lines)
    std::vector<std::string> page_requests;   // URLs other than file: the page asked for
    std::string screenshot;                   // path of the PNG
};

// Opens file://`html_file` in a window `width` x `height`, writing its profile, net log and
// screenshot into `work_dir` (which it creates and the caller removes).
BrowserRun open_in_chromium(const std::string& chromium, const std::string& html_file,
                            const std::string& work_dir, int width, int height);

// A screenshot's pixels as 0xRRGGBB, row by row.
struct Pixels {
    int width = 0, height = 0;
    std::vector<std::uint32_t> rgb;
    std::uint32_t at(int x, int y) const { return rgb[std::size_t(y) * std::size_t(width) + std::size_t(x)]; }
};

// Reads a PNG with cairo; throws std::runtime_error naming the file when it cannot.
Pixels read_png(const std::string& path);

// True when each channel of `pixel` is within `tolerance` of `colour`.
bool near_colour(std::uint32_t pixel, std::uint32_t colour, int tolerance);

}  // namespace dicomlake::testing
