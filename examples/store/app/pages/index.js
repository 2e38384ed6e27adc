(function () {
  var grid = document.getElementById("grid");
  CATALOG.forEach(function (p) {
    var a = document.createElement("a");
    a.className = "card"; a.href = "#"; a.setAttribute("data-product", p.id);
    a.innerHTML = '<div class="pic ' + p.id + '"><img alt=""></div><div class="t"></div><div class="p"></div>';
    a.querySelector("img").src = p.img;
    a.querySelector(".t").textContent = p.name;
    a.querySelector(".p").textContent = yuan(p.price);
    a.addEventListener("click", function (e) { e.preventDefault(); plaza.navigateTo({url: "/pages/item?id=" + p.id}); });
    grid.appendChild(a);
  });
  document.getElementById("to-cart").addEventListener("click", function () { plaza.navigateTo({url: "/pages/cart"}); });
  document.getElementById("to-orders").addEventListener("click", function () { plaza.navigateTo({url: "/pages/orders"}); });
  plaza.getUserProfile({desc: "To greet you by name"}).then(function (r) {
    document.getElementById("hello").textContent = "Hi " + r.userInfo.nickName + ", welcome to Gadget Store";
  }, function () {});
})();
