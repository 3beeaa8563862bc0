// The checkout's total, shown as the quantities change. It follows the server's pricing
// (events/pricing.py, ticket_prices): members get the member price on as many tickets as
// their membership covers (data-member-places), those with the biggest saving first. Once
// the total shows here, the order is placed from this form; without this script the form
// goes to a review step that shows the total first (the hidden "review" field).
(function () {
  "use strict";
  var total = document.querySelector("[data-checkout-total]");
  var amount = document.querySelector("[data-checkout-total-amount]");
  if (!total || !amount) { return; }
  var form = total.closest("form");
  var inputs = Array.prototype.slice.call(form.querySelectorAll("input[data-price]"));
  if (!inputs.length) { return; }

  function cents(text) { return Math.round(parseFloat(text) * 100); }

  function quantity(input) {
    var value = Number(input.value.trim() || "0");
    return Number.isInteger(value) && value > 0 ? value : 0;
  }

  function format(value) {
    return "$" + (value / 100).toLocaleString("en-US", {
      minimumFractionDigits: 2, maximumFractionDigits: 2
    });
  }

  function compute() {
    var places = parseInt(total.getAttribute("data-member-places"), 10) || 0;
    var sum = 0;
    var savings = [];
    inputs.forEach(function (input) {
      var count = quantity(input);
      var price = cents(input.getAttribute("data-price"));
      sum += count * price;
      var member = input.getAttribute("data-member-price");
      if (member) { savings.push({ saving: price - cents(member), count: count }); }
    });
    savings.sort(function (a, b) { return b.saving - a.saving; });
    savings.forEach(function (line) {
      var discounted = Math.min(line.count, places);
      sum -= discounted * line.saving;
      places -= discounted;
    });
    amount.textContent = format(sum);
  }

  inputs.forEach(function (input) { input.addEventListener("input", compute); });
  compute();
  total.hidden = false;
  // The total is in view: the form places the order itself, with no review step.
  var review = form.querySelector("[data-checkout-review]");
  if (review) { review.remove(); }
  var button = form.querySelector("button[data-place-label]");
  if (button) { button.textContent = button.getAttribute("data-place-label"); }
}());
