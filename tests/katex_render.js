// Render each LaTeX string of a JSON array (read on standard input) with KaTeX in display mode; print a JSON
// array with, for each, null when it rendered or KaTeX's error message. KaTeX is found from the working
// directory (npm install --no-save katex).
const katex = require(require.resolve("katex", { paths: [process.cwd()] }));

let input = "";
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", () => {
  const results = JSON.parse(input).map((tex) => {
    try {
      katex.renderToString(tex, { displayMode: true, throwOnError: true, strict: "error" });
      return null;
    } catch (error) {
      return String(error.message);
    }
  });
  process.stdout.write(JSON.stringify(results));
});
