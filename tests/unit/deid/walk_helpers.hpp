// Shared by the policy tests: one instance walked through a policy, and its values by path.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <utility>

#include "model/dicom_json.hpp"

namespace dicomlake::deid::test {

inline model::Instance walk_one(const std::string& body, const model::AttributeFilter& filter) {
    auto all = model::parse_metadata(body, filter);
    EXPECT_EQ(all.size(), 1u);
    return all.empty() ? model::Instance{} : std::move(all.front());
}

inline std::string text_of(const model::Instance& inst, const std::string& path) {
    const model::Attribute* a = inst.find(path);
    return a ? a->text : std::string("<missing>");
}

}  // namespace dicomlake::deid::test
