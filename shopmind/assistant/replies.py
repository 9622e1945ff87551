"""The assistant's own sentences, in the customer's language (Chinese or English).

Only the frame is written here; every fact in an answer comes from the evidence cited.
"""

from __future__ import annotations

from collections.abc import Sequence

from shopmind.catalog import Product


class Replies:
    """Sentence frames for one language (``zh`` or anything else for English)."""

    def __init__(self, language: str) -> None:
        self.zh = language == "zh"

    def handoff(self) -> str:
        return (
            "好的，正在为您转接人工客服，请稍候。"
            if self.zh
            else ("Sure, I'm passing you to a colleague now; they'll reply here shortly.")
        )

    def order(self) -> str:
        return (
            "我这里查不到订单信息，已为您转接人工客服查询订单。"
            if self.zh
            else (
                "I can't see orders from here, so I'm passing you to a colleague who can check "
                "your order."
            )
        )

    def dont_know(self) -> str:
        return (
            "抱歉，这个问题我还不能确定答案。需要为您转接人工客服吗？"
            if self.zh
            else (
                "Sorry, I don't know the answer to that for sure. Shall I pass you to a colleague?"
            )
        )

    def what_to_find(self) -> str:
        return "请告诉我您想找什么商品。" if self.zh else "What would you like to find?"

    def not_listed(self, title: str, topics: Sequence[str]) -> str:
        what = "、".join(topics) if self.zh else ", ".join(topics)
        if self.zh:
            return f"{title}的商品信息里没有标注{what}，我不想猜。需要为您转接人工客服确认吗？"
        return (
            f"The product details of {title} do not list its {what}, and I won't guess. "
            "Shall I ask a colleague to check?"
        )

    def which_product(self) -> str:
        return (
            "请问您问的是哪一款商品？可以在商品页面提问，或告诉我商品名称或型号。"
            if self.zh
            else ("Which product do you mean? Ask from its page, or tell me its name or model.")
        )

    def which_to_compare(self) -> str:
        return "请先告诉我要对比哪两款商品。" if self.zh else "Which two products shall I compare?"

    def not_sold(self, query: str) -> str:
        return (
            f"抱歉，本店没有“{query}”相关的商品。"
            if self.zh
            else (f"Sorry, we don't sell anything like \u201c{query}\u201d.")
        )

    def nothing_matches(self, query: str) -> str:
        return (
            f"没有找到符合这些条件的“{query}”，可以放宽一些条件试试。"
            if self.zh
            else (f"No {query} matches all of those conditions; try loosening one.")
        )

    def found(
        self, query: str, products: Sequence[Product], conditions: Sequence[tuple[str, str]]
    ) -> str:
        cond = ", ".join(f"{k} {v}" for k, v in conditions)
        lines = [f"{i}. {p.title} — {_price(p)}" for i, p in enumerate(products, start=1)]
        if self.zh:
            head = f"为您找到{len(products)}款“{query}”" + (f"（{cond}）" if cond else "") + "："
        else:
            head = f"Here are {len(products)} {query}" + (f" ({cond})" if cond else "") + ":"
        return "\n".join([head, *lines])

    def fact(self, title: str, facts: Sequence[str]) -> str:
        joined = " ".join(facts)
        return f"{title}：{joined}" if self.zh else f"{title} — {joined}"

    def passage(self, sentence: str, title: str) -> str:
        return f"{sentence}\n（来自：{title}）" if self.zh else f"{sentence}\n(from: {title})"

    def past_answer(self, answer: str, same_product: bool) -> str:
        if same_product:
            return answer
        return (
            f"关于类似的商品，之前的回答是：{answer}"
            if self.zh
            else (f"For a similar product, the answer was: {answer}")
        )

    def also_asked(self, answer: str, question: str, past: str) -> str:
        if self.zh:
            return f"{answer}\n之前也有顾客问过“{question}”，回答是：{past}"
        return f"{answer}\nAnother customer asked \u201c{question}\u201d: {past}"

    def compare_line(self, product: Product, keys: Sequence[str]) -> str:
        attrs = ", ".join(f"{k}: {product.attributes[k]}" for k in keys)
        return f"{product.title} — {_price(product)}" + (f"; {attrs}" if attrs else "")

    def compare(self, lines: Sequence[str]) -> str:
        head = "对比如下：" if self.zh else "Side by side:"
        return "\n".join([head, *lines])


def _price(product: Product) -> str:
    if product.price is None:
        return "—"
    return f"{product.price:g} {product.currency or ''}".strip()


__all__ = ["Replies"]
