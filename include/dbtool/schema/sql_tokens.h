#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace dbtool::schema {

// One SQL token. Comments and white space are dropped; TEXT is the token as written
// (quotes included), a view into the tokenized source, which must outlive the token
// (introspection tokenizes every CREATE statement; copying each token's text cost
// more than finding it). VALUE is a quoted name's or string's content without quotes.
struct Token {
  enum class Kind { Word, QuotedName, String, Number, Blob, Punct, Variable };
  Kind kind;
  std::string_view text;
  std::string value;
  std::size_t offset = 0; // where the token starts in the source text

  // The name a Word or QuotedName stands for (a String too, as SQLite allows).
  std::string name() const { return kind == Kind::Word ? std::string(text) : value; }
  bool is_word(std::string_view upper_word) const; // case-insensitive keyword test
  bool is_punct(char c) const { return kind == Kind::Punct && text.size() == 1 && text[0] == c; }
  bool is_name() const {
    return kind == Kind::Word || kind == Kind::QuotedName || kind == Kind::String;
  }
};

// Splits SQL into tokens as SQLite's tokenizer does (quoted names in "", [], ``;
// strings in ''; x'..' blobs; -- and /* */ comments). Text that SQLite accepted
// always tokenizes; anything else still yields tokens, never an error.
std::vector<Token> tokenize_sql(std::string_view sql);
// The tokens view into SQL: a temporary string would leave them dangling.
std::vector<Token> tokenize_sql(std::string&& sql) = delete;
inline std::vector<Token> tokenize_sql(const char* sql) {
  return tokenize_sql(std::string_view(sql));
}

// A canonical form of TOKENS[begin, end): tokens separated by single spaces, except
// none inside "f(" "( x" "x )" "a, b" and "a.b". Two texts that differ only in white
// space, comments or line breaks have the same canonical form.
std::string canonical_sql(const std::vector<Token>& tokens, std::size_t begin, std::size_t end);
std::string canonical_sql(std::string_view sql);

} // namespace dbtool::schema
