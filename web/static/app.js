// The reviewer's page: evidence viewer, keyboard, small conveniences. Text from documents is set with
// textContent only, never as HTML.
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);

  document.querySelectorAll("select[data-autosubmit]").forEach((select) =>
    select.addEventListener("change", () => select.form.submit()));

  const viewer = $("viewer");
  if (!viewer) return;
  const pk = $("app-pk").dataset.pk;
  const image = $("viewer-image"), boxes = $("viewer-boxes"), sheet = $("viewer-sheet"), stage = $("viewer-stage");
  let items = [], at = 0, zoom = 1;
  const SVG = "http://www.w3.org/2000/svg";

  function show() {
    const item = items[at];
    viewer.hidden = false;
    $("viewer-caption").textContent = (item.path || "") + (item.page ? "　第 " + item.page + " 页" : "");
    $("viewer-count").textContent = items.length > 1 ? (at + 1) + "/" + items.length : "";
    $("viewer-text").textContent = item.text || "";
    while (boxes.firstChild) boxes.removeChild(boxes.firstChild);
    if (item.page_id === null || item.page_id === undefined) {
      image.removeAttribute("src");
      stage.hidden = true;
      $("viewer-text").textContent = (item.text || "") + "（Word、Excel 文件没有页面图像）";
      return;
    }
    stage.hidden = false;
    image.src = "/applications/" + pk + "/pages/" + item.page_id + "/image";
    boxes.setAttribute("viewBox", "0 0 " + item.width + " " + item.height);
    if (item.bbox) {
      const [x0, y0, x1, y1] = item.bbox;
      const rect = document.createElementNS(SVG, "rect");
      rect.setAttribute("x", x0 - 4); rect.setAttribute("y", y0 - 4);
      rect.setAttribute("width", x1 - x0 + 8); rect.setAttribute("height", y1 - y0 + 8);
      boxes.appendChild(rect);
      image.onload = () => scrollToBox(item);
    }
    setZoom(zoom);
  }

  function scrollToBox(item) {
    if (!item.bbox) return;
    const scale = sheet.clientWidth / item.width;
    stage.scrollTop = Math.max(0, item.bbox[1] * scale - stage.clientHeight / 3);
    stage.scrollLeft = Math.max(0, item.bbox[0] * scale - stage.clientWidth / 4);
  }

  function setZoom(value) {
    zoom = Math.min(6, Math.max(0.5, value));
    sheet.style.width = (zoom * 100) + "%";
    if (items[at]) scrollToBox(items[at]);
  }

  function open(list) {
    if (!list.length) return;
    items = list; at = 0; show();
  }

  document.querySelectorAll("button.evidence").forEach((button) =>
    button.addEventListener("click", () => open(JSON.parse(button.dataset.evidence))));
  document.querySelectorAll("img.preview").forEach((img) =>
    img.addEventListener("click", () => open([{ path: img.dataset.path, page: 1, bbox: null, text: "",
      page_id: Number(img.dataset.pageId), width: Number(img.dataset.width), height: Number(img.dataset.height) }])));
  $("viewer-close").addEventListener("click", () => { viewer.hidden = true; });
  $("viewer-prev").addEventListener("click", () => { if (at > 0) { at--; show(); } });
  $("viewer-next").addEventListener("click", () => { if (at < items.length - 1) { at++; show(); } });
  $("zoom-in").addEventListener("click", () => setZoom(zoom * 1.25));
  $("zoom-out").addEventListener("click", () => setZoom(zoom / 1.25));
  $("zoom-fit").addEventListener("click", () => setZoom(1));
  stage.addEventListener("wheel", (event) => {
    if (!event.ctrlKey) return;
    event.preventDefault();
    setZoom(zoom * (event.deltaY < 0 ? 1.1 : 1 / 1.1));
  }, { passive: false });

  // The next disagreement after the one shown last, its evidence opened.
  const disagreements = Array.from(document.querySelectorAll("[data-disagreement]"));
  let lastDisagreement = -1;
  function nextDisagreement() {
    if (!disagreements.length) return;
    if (lastDisagreement >= 0) disagreements[lastDisagreement].classList.remove("current");
    lastDisagreement = (lastDisagreement + 1) % disagreements.length;
    const row = disagreements[lastDisagreement];
    row.classList.add("current");
    row.scrollIntoView({ block: "center" });
    // The documents' side first: what the papers show is what the reviewer checks the claim against.
    const button = row.querySelector("td.extracted button.evidence") || row.querySelector("button.evidence");
    if (button) button.click();
  }

  document.addEventListener("keydown", (event) => {
    const target = event.target;
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (target.closest && target.closest("input, textarea, select, details[open]")) return;
    const head = document.querySelector(".app-head");
    if (event.key === "n" && head.dataset.next) location.href = "/applications/" + head.dataset.next;
    else if (event.key === "p" && head.dataset.previous) location.href = "/applications/" + head.dataset.previous;
    else if (event.key === "d") nextDisagreement();
    else if (event.key === "a" && $("accept-form")) $("accept-form").requestSubmit();
    else if (event.key === "Escape") viewer.hidden = true;
    else if (event.key === "+" || event.key === "=") setZoom(zoom * 1.25);
    else if (event.key === "-") setZoom(zoom / 1.25);
    else return;
    event.preventDefault();
  });
})();
