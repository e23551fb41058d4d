// The walk's value typing (model/walk.cpp): one raw value to its stored JSON and text. Internal
// to the model.
#pragma once

#include <string>
#include <string_view>

#include "model/instance.hpp"
#include "model/reader.hpp"

namespace dicomlake::model::detail {

bool is_numeric_vr(std::string_view vr);
bool is_binary_vr(std::string_view vr);

// Leading and trailing spaces (and trailing NULs, UI's padding) removed.
std::string_view trim_padding(std::string_view s);

// Types one value of `vr` into `out` (JSON) and, for the first value, into a.number / a.text,
// applying the filter's action (replace_uid, shift_date, clean_text).
void append_value(Attribute& a, std::string& out, const RawValue& v, std::string_view vr,
                  AttributeFilter::Action action, bool first, const AttributeFilter& filter,
                  const AttributeContext& ctx);

// One value as identity text (InstanceIdentity): PN groups joined by '='; "" when it has none.
std::string identity_text(const RawValue& v);

}  // namespace dicomlake::model::detail
