#include "headless_browser.hpp"

#include <cairo.h>
#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

#include "harness.hpp"

namespace dicomlake::testing {
namespace {

std::string file_url(const std::string& path) {
    std::string url = "file://";
    const char* hex = "0123456789ABCDEF";
    for (unsigned char c : std::filesystem::absolute(path).string()) {
        bool plain = std::isalnum(c) || c == '/' || c == '.' || c == '-' || c == '_';
        url += plain ? std::string(1, char(c)) : std::string{'%', hex[c >> 4], hex[c & 15]};
    }
    return url;
}

// Chromium logs each console message as "...:INFO:CONSOLE:<line>] "text", source: ..." whatever
// its level, so every such line counts: a page without script has no reason to print anything.
std::vector<std::string> console_lines(const std::string& log) {
    std::vector<std::string> lines;
    std::istringstream in(log);
    for (std::string line; std::getline(in, line);)
        if (line.find(":CONSOLE") != std::string::npos) lines.push_back(line);
    return lines;
}

// URL requests started for the page. The browser's own traffic (update and time checks the
// flags do not all silence) has no initiator ("not an origin") and no file:// isolation key;
// anything a file:// page loads has the opaque "null" initiator or a file:// key.
std::vector<std::string> page_requests(const std::string& net_log_path) {
    auto log = nlohmann::json::parse(read_file(net_log_path), nullptr, false);
    if (log.is_discarded() || !log.contains("events"))
        return {"(net log missing or unreadable: " + net_log_path + ")"};
    auto start_job = log["constants"]["logEventTypes"].value("URL_REQUEST_START_JOB", -1);
    if (start_job < 0) return {"(net log names no URL_REQUEST_START_JOB event type)"};
    std::vector<std::string> urls;
    for (const auto& event : log["events"]) {
        if (event.value("type", -2) != start_job || !event.contains("params")) continue;
        const auto& params = event["params"];
        std::string url = params.value("url", "");
        if (url.empty() || url.rfind("file:", 0) == 0) continue;  // the job's end: no URL
        bool browser_own = params.value("initiator", "") == "not an origin" &&
                           params.value("network_isolation_key", "").find("file:") == std::string::npos;
        if (!browser_own) urls.push_back(url);
    }
    return urls;
}

}  // namespace

std::string find_chromium() {
    const char* path = std::getenv("PATH");
    std::istringstream dirs(path ? path : "");
    for (std::string dir; std::getline(dirs, dir, ':');) {
        std::string candidate = (dir.empty() ? "." : dir) + "/chromium";
        if (access(candidate.c_str(), X_OK) == 0) return candidate;
    }
    return {};
}

BrowserRun open_in_chromium(const std::string& chromium, const std::string& html_file,
                            const std::string& work_dir, int width, int height) {
    std::filesystem::create_directories(work_dir);
    BrowserRun run;
    run.screenshot = work_dir + "/screenshot.png";
    std::string net_log = work_dir + "/net-log.json";
    // --no-sandbox: tests may run as root. Its own profile so runs never share state; the
    // background-service switches keep the net log about the page.
    run.command_line = shell_quote(chromium) +
                       " --headless=new --no-sandbox --disable-gpu --hide-scrollbars"
                       " --window-size=" + std::to_string(width) + "," + std::to_string(height) +
                       " --user-data-dir=" + shell_quote(work_dir + "/profile") +
                       " --enable-logging=stderr --v=0 --log-net-log=" + shell_quote(net_log) +
                       " --no-first-run --disable-background-networking --disable-component-update"
                       " --disable-sync --disable-default-apps --disable-extensions"
                       " --screenshot=" + shell_quote(run.screenshot) + " " + shell_quote(file_url(html_file));
    CommandResult result = run_shell(run.command_line);
    run.exit_code = result.exit_code;
    run.log = result.output;
    run.console = console_lines(result.output);
    run.page_requests = page_requests(net_log);
    return run;
}

Pixels read_png(const std::string& path) {
    cairo_surface_t* surface = cairo_image_surface_create_from_png(path.c_str());
    if (cairo_surface_status(surface) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(surface);
        throw std::runtime_error("cannot read the PNG " + path);
    }
    cairo_surface_flush(surface);
    Pixels pixels;
    pixels.width = cairo_image_surface_get_width(surface);
    pixels.height = cairo_image_surface_get_height(surface);
    int stride = cairo_image_surface_get_stride(surface);
    const unsigned char* data = cairo_image_surface_get_data(surface);
    pixels.rgb.reserve(std::size_t(pixels.width) * std::size_t(pixels.height));
    // ARGB32 and RGB24 both keep a pixel as a native-endian 32-bit word, 0xAARRGGBB; a
    // screenshot is opaque, so alpha premultiplication changes nothing.
    for (int y = 0; y < pixels.height; ++y) {
        const auto* row = reinterpret_cast<const std::uint32_t*>(data + std::size_t(y) * std::size_t(stride));
        for (int x = 0; x < pixels.width; ++x) pixels.rgb.push_back(row[x] & 0xFFFFFFu);
    }
    cairo_surface_destroy(surface);
    return pixels;
}

bool near_colour(std::uint32_t pixel, std::uint32_t colour, int tolerance) {
    for (int shift : {16, 8, 0}) {
        int a = int((pixel >> shift) & 0xFF), b = int((colour >> shift) & 0xFF);
        if (std::abs(a - b) > tolerance) return false;
    }
    return true;
}

}  // namespace dicomlake::testing
