#include "dbtool/schema/sql_tokens.h"

#include "dbtool/util/strings.h"

#include <cctype>

namespace dbtool::schema {

namespace {

// ASCII classes inline (the <cctype> functions are a call each, and consult the locale).
bool is_alpha(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_digit(unsigned char c) {
  return c >= '0' && c <= '9';
}
bool is_alnum(unsigned char c) {
  return is_alpha(c) || is_digit(c);
}
bool is_space(unsigned char c) {
  return c == ' ' || (c >= '\t' && c <= '\r');
}
bool is_name_start(unsigned char c) {
  return is_alpha(c) || c == '_' || c >= 0x80;
}
bool is_name_char(unsigned char c) {
  return is_alnum(c) || c == '_' || c == '$' || c >= 0x80;
}

// Reads a quoted run starting at I (the opening quote); doubled closing quotes stand
// for one. Returns the index after the closing quote (or the end of text).
std::size_t read_quoted(std::string_view sql, std::size_t i, char close, std::string& value) {
  ++i;
  while (i < sql.size()) {
    if (sql[i] == close) {
      if (close != ']' && i + 1 < sql.size() && sql[i + 1] == close) {
        value += close;
        i += 2;
        continue;
      }
      return i + 1;
    }
    value += sql[i++];
  }
  return i;
}

} // namespace

bool Token::is_word(std::string_view upper_word) const {
  if (kind != Kind::Word || text.size() != upper_word.size())
    return false;
  for (std::size_t i = 0; i < text.size(); ++i)
    if (util::ascii_upper(text[i]) != upper_word[i])
      return false;
  return true;
}

std::vector<Token> tokenize_sql(std::string_view sql) {
  std::vector<Token> tokens;
  tokens.reserve(sql.size() / 4);
  std::size_t i = 0;
  while (i < sql.size()) {
    const auto c = static_cast<unsigned char>(sql[i]);
    const std::size_t start = i;
    if (is_space(c)) {
      ++i;
      continue;
    }
    if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
      while (i < sql.size() && sql[i] != '\n')
        ++i;
      continue;
    }
    if (c == '/' && i + 1 < sql.size() && sql[i + 1] == '*') {
      const auto end = sql.find("*/", i + 2);
      i = end == std::string_view::npos ? sql.size() : end + 2;
      continue;
    }
    Token token{Token::Kind::Punct, {}, {}, start};
    if ((c == 'x' || c == 'X') && i + 1 < sql.size() && sql[i + 1] == '\'') {
      std::string ignored;
      i = read_quoted(sql, i + 1, '\'', ignored);
      token.kind = Token::Kind::Blob;
    } else if (is_name_start(c)) {
      while (i < sql.size() && is_name_char(static_cast<unsigned char>(sql[i])))
        ++i;
      token.kind = Token::Kind::Word;
    } else if (c == '"' || c == '`' || c == '[') {
      i = read_quoted(sql, i, c == '[' ? ']' : static_cast<char>(c), token.value);
      token.kind = Token::Kind::QuotedName;
    } else if (c == '\'') {
      i = read_quoted(sql, i, '\'', token.value);
      token.kind = Token::Kind::String;
    } else if (c == '0' && i + 1 < sql.size() && (sql[i + 1] == 'x' || sql[i + 1] == 'X')) {
      i += 2; // a hex integer has no exponent: 0x1e-5 is 0x1e minus 5
      while (i < sql.size() && std::isxdigit(static_cast<unsigned char>(sql[i])))
        ++i;
      token.kind = Token::Kind::Number;
    } else if (is_digit(c) || (c == '.' && i + 1 < sql.size() &&
                               is_digit(static_cast<unsigned char>(sql[i + 1])))) {
      while (i < sql.size() &&
             (is_alnum(static_cast<unsigned char>(sql[i])) || sql[i] == '.' ||
              ((sql[i] == '+' || sql[i] == '-') && (sql[i - 1] == 'e' || sql[i - 1] == 'E'))))
        ++i;
      token.kind = Token::Kind::Number;
    } else if (c == '?' || c == ':' || c == '@' || c == '$') {
      ++i;
      while (i < sql.size() && is_name_char(static_cast<unsigned char>(sql[i])))
        ++i;
      token.kind = Token::Kind::Variable;
    } else {
      // Two-character operators stay whole so that canonical text keeps them intact.
      static const char* pairs[] = {"<=", ">=", "<>", "!=", "==", "||", "<<", ">>", "->"};
      ++i;
      if (i < sql.size())
        for (const char* pair : pairs)
          if (sql[start] == pair[0] && sql[i] == pair[1]) {
            ++i;
            break;
          }
      if (i - start == 2 && sql[start] == '-' && sql[start + 1] == '>' && i < sql.size() &&
          sql[i] == '>')
        ++i; // ->>
    }
    token.text = sql.substr(start, i - start);
    tokens.push_back(std::move(token));
  }
  return tokens;
}

std::string canonical_sql(const std::vector<Token>& tokens, std::size_t begin, std::size_t end) {
  std::string out;
  for (std::size_t i = begin; i < end && i < tokens.size(); ++i) {
    const Token& token = tokens[i];
    if (i > begin) {
      const Token& previous = tokens[i - 1];
      const bool glue_left =
          token.is_punct(')') || token.is_punct(',') || token.is_punct('.') ||
          (token.is_punct('(') && previous.kind != Token::Kind::Punct &&
           previous.kind != Token::Kind::String && !previous.is_word("AND") &&
           !previous.is_word("OR") && !previous.is_word("NOT") && !previous.is_word("IN") &&
           !previous.is_word("AS") && !previous.is_word("CHECK") && !previous.is_word("EXISTS"));
      const bool glue_right = previous.is_punct('(') || previous.is_punct('.');
      if (!glue_left && !glue_right)
        out += ' ';
    }
    out += token.text;
  }
  return out;
}

std::string canonical_sql(std::string_view sql) {
  const auto tokens = tokenize_sql(sql);
  return canonical_sql(tokens, 0, tokens.size());
}

} // namespace dbtool::schema
