#include "util/log.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "model/instance.hpp"
#include "util/redact.hpp"

namespace dicomlake {

namespace {

// Every log line's message goes through redact(): a library text or URL logged anywhere in the
// program cannot carry a credential or a known secret out.
std::string redacted(const spdlog::details::log_msg& msg) {
    return redact(std::string_view(msg.payload.data(), msg.payload.size()));
}

// %& : the message, credentials masked.
class TextMessageFlag : public spdlog::custom_flag_formatter {
public:
    void format(const spdlog::details::log_msg& msg, const std::tm&, spdlog::memory_buf_t& dest) override {
        std::string text = redacted(msg);
        dest.append(text.data(), text.data() + text.size());
    }
    std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<TextMessageFlag>(); }
};

// %* : the message as a JSON string body (quotes, backslashes and control characters escaped),
// credentials masked.
class JsonMessageFlag : public spdlog::custom_flag_formatter {
public:
    void format(const spdlog::details::log_msg& msg, const std::tm&, spdlog::memory_buf_t& dest) override {
        std::string quoted;
        model::append_json_string(quoted, redacted(msg));
        dest.append(quoted.data() + 1, quoted.data() + quoted.size() - 1);
    }
    std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<JsonMessageFlag>(); }
};

}  // namespace

void setup_logging(const std::string& level, const std::string& format) {
    auto logger = spdlog::stderr_color_mt("dicomlake");
    auto formatter = std::make_unique<spdlog::pattern_formatter>();
    if (format == "json")
        formatter->add_flag<JsonMessageFlag>('*').set_pattern(
            R"({"time":"%Y-%m-%dT%H:%M:%S.%e%z","level":"%l","program":"dicomlake","message":"%*"})");
    else
        formatter->add_flag<TextMessageFlag>('&').set_pattern("%Y-%m-%d %H:%M:%S.%e %^%-5l%$ %&");
    logger->set_formatter(std::move(formatter));
    logger->set_level(spdlog::level::from_str(level));
    spdlog::set_default_logger(logger);
}

}  // namespace dicomlake
