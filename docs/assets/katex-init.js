// Render the math of every page with KaTeX: arithmatex writes display math as \[ ... \] and inline math as
// \( ... \) inside elements of class "arithmatex"; the theme's instant navigation calls document$ on each page.
function renderMath(root) {
  root.querySelectorAll(".arithmatex").forEach((element) => {
    renderMathInElement(element, {
      delimiters: [
        { left: "\\[", right: "\\]", display: true },
        { left: "\\(", right: "\\)", display: false },
      ],
      throwOnError: false,
    });
  });
}

if (typeof document$ !== "undefined") {
  document$.subscribe(({ body }) => renderMath(body));
} else {
  document.addEventListener("DOMContentLoaded", () => renderMath(document.body));
}
