(function () {
  var id = new URLSearchParams(location.search).get("id");
  var p = product(id) || CATALOG[0];
  document.getElementById("pic").className = "pic " + p.id;
  var img = document.createElement("img"); img.src = p.img; img.alt = p.name;
  document.getElementById("pic").appendChild(img);
  document.getElementById("name").textContent = p.name;
  document.getElementById("price").textContent = yuan(p.price);
  document.getElementById("blurb").textContent = p.blurb;
  document.getElementById("add").addEventListener("click", function () {
    getCart().then(function (cart) {
      var line = cart.filter(function (l) { return l.id === p.id; })[0];
      if (line) line.qty++; else cart.push({id: p.id, qty: 1});
      return saveCart(cart);
    }).then(function () { plaza.showToast({title: "Added to cart", icon: "success"}); });
  });
  document.getElementById("to-cart").addEventListener("click", function () { plaza.navigateTo({url: "/pages/cart"}); });
})();
