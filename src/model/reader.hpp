// The reader interface: how any source hands one instance's dataset to the de-identifying walk.
//
//   JSON reader (DICOMweb bodies, .json files)  --+
//                                                 +-> DatasetReader --> walk_instance() --> Instance
//   DCMTK reader (C-GET/C-MOVE objects, Part 10) --+   (raw elements)    (AttributeFilter,   (typed,
//                                                                        VR from the         de-identified)
//                                                                        dictionary)
//
// A reader only says what the sender sent: tags, the VR it claims, raw values. Every decision
// (which VR counts, what is dropped, replaced, shifted or cleaned, how values are typed) is the
// walk's, in one place, so two readers of the same object give the same Instance.
#pragma once

#include <functional>
#include <string_view>

#include "model/dictionary.hpp"

namespace dicomlake::model {

// One value of an element, as the sender wrote it. Views are valid only during the callback.
struct RawValue {
    enum class Kind {
        null,         // an empty value (JSON null, or an empty component between backslashes)
        text,         // a string: CS, LO, DA, DS written as text... (padding may still be there)
        number,       // a number the sender encoded as one (JSON number; binary US, FL, FD...)
        person_name,  // PN component groups
        nested,       // a JSON array or non-PN object where a value belongs (malformed input)
    };
    Kind kind = Kind::null;
    std::string_view text;  // text: the string; number: the token as sent ("1.50", "3")
    double number = 0;      // number: its value
    // person_name: the Alphabetic, Ideographic and Phonetic groups (empty when absent). A reader
    // whose sender writes PN as one string ("Doe^John=...") splits it at '=' itself.
    std::string_view groups[3];
};

// One dataset (an instance's top level, or one item of a sequence), read forward.
//   while (reader.next()) { reader.tag(); reader.sent_vr(); reader.values(...) or reader.items(...) }
// A reader throws MalformedJson (any reader: the name is historical) on input it cannot read,
// with a message that names the problem and never a value.
class DatasetReader {
public:
    virtual ~DatasetReader() = default;
    // Advances to the next element; false after the last. Element order is the sender's.
    virtual bool next() = 0;
    // The current element's tag. A key that is not a tag throws MalformedJson.
    virtual TagKey tag() = 0;
    // The VR the sender claims for the current element ("" when it claims none: implicit VR
    // little endian, or a JSON attribute without "vr"). Never trusted alone: see value_vr().
    virtual std::string_view sent_vr() = 0;
    // Each value of the current element, in order (not called for sequences).
    virtual void values(const std::function<void(const RawValue&)>& each) = 0;
    // Each item of the current element when it is a sequence, in order; nullptr for a null item.
    virtual void items(const std::function<void(DatasetReader* item)>& each) = 0;
    // Back to before the first element (the walk reads identity values in a first pass).
    virtual void rewind() = 0;
};

}  // namespace dicomlake::model
