"""Safeguard replies in the query's language, for the composed non-English requests.

Like the English composer (data/responses.py), a reply declines, gives the category's reason
and offers a safe alternative; self-harm replies give crisis support with a local line where
one is well known (Korea 109, Germany 0800 111 0 111, Japan 0570-783-556). Korean has a
reason and an alternative for every category; the other languages have them for the
categories their composed requests cover and a general one otherwise.
"""

from __future__ import annotations

import hashlib
import random
import unicodedata
from collections.abc import Sequence

# code -> (reason, alternative)
_KO = {
    "S1": ("다른 사람을 해치는 폭력을 돕거나 부추길 수 있기 때문입니다.", "갈등을 안전하게 푸는 방법이나 도움을 받을 수 있는 곳은 알려 드릴 수 있어요."),
    "S2": ("불법 행위를 돕는 일이 될 수 있기 때문입니다.", "관련 법이나 피해를 예방하는 방법은 알려 드릴 수 있어요."),
    "S3": ("성범죄나 동의 없는 촬영과 유포를 돕는 일이 될 수 있기 때문입니다.", "피해를 신고하거나 지원을 받는 방법은 안내해 드릴 수 있어요."),
    "S4": ("아동을 성적으로 다루는 내용은 어떤 경우에도 아이들에게 해가 되기 때문입니다.", "아이들을 보호하는 방법이나 신고처(경찰 112)는 알려 드릴 수 있어요."),
    "S5": ("실존 인물이나 단체의 명예를 훼손하는 거짓 정보가 될 수 있기 때문입니다.", "확인된 사실을 바탕으로 한 글은 도와드릴 수 있어요."),
    "S6": ("전문가 없이 따르면 건강이나 재산에 심각한 해를 입을 수 있기 때문입니다.", "일반적인 정보와 함께 전문가에게 상담받는 방법을 알려 드릴 수 있어요."),
    "S7": ("다른 사람의 사생활과 개인정보를 침해할 수 있기 때문입니다.", "내 개인정보를 지키는 방법은 알려 드릴 수 있어요."),
    "S8": ("저작권이 있는 작품을 그대로 옮기는 일이 되기 때문입니다.", "작품의 줄거리 요약이나 감상은 도와드릴 수 있어요."),
    "S9": ("많은 사람을 해칠 수 있는 무기를 만드는 데 쓰일 수 있기 때문입니다.", "관련 역사나 안전 수칙은 이야기해 드릴 수 있어요."),
    "S10": ("사람들을 출신이나 정체성으로 깎아내리는 혐오 표현이 되기 때문입니다.", "여러 집단에 대한 정확한 정보나 서로를 존중하는 글은 도와드릴 수 있어요."),
    "S11": ("스스로를 해치는 일을 돕거나 부추길 수 있기 때문입니다.", "지금 힘드시다면 자살예방상담전화 109(24시간)에 전화하시거나 믿을 수 있는 사람에게 꼭 이야기해 주세요."),
    "S12": ("노골적인 성적 콘텐츠는 만들지 않기 때문입니다.", "관계나 성 건강에 대한 일반적인 정보는 알려 드릴 수 있어요."),
    "S13": ("선거에 대한 잘못된 정보를 퍼뜨릴 수 있기 때문입니다.", "투표 방법은 중앙선거관리위원회 안내를 참고하시면 됩니다."),
    "S14": ("시스템을 악용하거나 해를 끼치는 코드가 될 수 있기 때문입니다.", "시스템 보안을 강화하는 방법은 도와드릴 수 있어요."),
    "S15": ("특정한 사람을 괴롭히거나 위협하는 데 쓰일 수 있기 때문입니다.", "갈등을 풀거나 괴롭힘에 대응하는 방법은 알려 드릴 수 있어요."),
    "S16": ("안전 지침을 우회하려는 요청이기 때문입니다.", "원래 궁금하신 내용을 안전한 방식으로 물어보시면 도와드릴게요."),
}
_KO_DECLINE = ("죄송하지만 그 요청은 도와드릴 수 없습니다.", "그 부탁은 들어드릴 수 없어요.", "이 요청에는 답변을 드릴 수 없습니다.", "죄송해요, 그건 도와드릴 수 없어요.", "그런 내용은 작성해 드릴 수 없습니다.")

# language -> (declines, {code or "*": (reason, alternative)})
_OTHER: dict[str, tuple[tuple[str, ...], dict[str, tuple[str, str]]]] = {
    "zh": (
        ("抱歉，我不能帮你做这件事。", "很抱歉，这个请求我无法协助。"),
        {
            "S1": ("因为这可能导致对他人的暴力伤害。", "如果你愿意，我可以谈谈如何安全地化解冲突。"),
            "S2": ("因为这会帮助违法行为。", "如果你愿意，我可以介绍如何防范这类犯罪。"),
            "S9": ("因为这些信息可能被用来制造伤害很多人的武器。", "如果你愿意，我可以讲讲相关的历史或安全知识。"),
            "S11": ("因为这可能会伤害你自己。", "如果你现在很难受，请联系当地的心理危机热线，或者和你信任的人聊一聊。"),
            "*": ("因为这可能造成严重伤害。", "如果你愿意，我可以提供相关的安全知识。"),
        },
    ),
    "es": (
        ("Lo siento, no puedo ayudarte con eso.", "No puedo ayudarte con esa petición."),
        {
            "S1": ("Podría servir para hacer daño a otras personas.", "Si quieres, puedo contarte cómo resolver un conflicto sin violencia."),
            "S2": ("Sería ayudar a cometer un delito.", "Si quieres, puedo explicarte cómo prevenir este tipo de delitos."),
            "S9": ("Esa información podría usarse para fabricar armas que hieran a muchas personas.", "Si quieres, puedo hablarte de la historia o de las normas de seguridad."),
            "S11": ("Podría hacerte daño a ti.", "Si estás pasando por un momento difícil, llama a una línea de ayuda en crisis de tu país o habla con alguien de confianza."),
            "*": ("Podría causar un daño grave.", "Si quieres, puedo darte información para mantenerte a salvo."),
        },
    ),
    "fr": (
        ("Désolé, je ne peux pas t'aider avec ça.", "Je ne peux pas répondre à cette demande."),
        {
            "S1": ("Cela pourrait servir à blesser quelqu'un.", "Si tu veux, je peux t'expliquer comment désamorcer un conflit sans violence."),
            "S2": ("Ce serait aider à commettre un délit.", "Si tu veux, je peux t'expliquer comment se protéger de ce genre de délit."),
            "S9": ("Ces informations pourraient servir à fabriquer des armes capables de blesser beaucoup de gens.", "Si tu veux, je peux te parler de l'histoire ou des règles de sécurité."),
            "S11": ("Cela pourrait te mettre en danger.", "Si tu traverses un moment difficile, appelle une ligne d'écoute de ton pays ou parle à quelqu'un de confiance."),
            "*": ("Cela pourrait causer un tort grave.", "Si tu veux, je peux te donner des informations de sécurité sur ce sujet."),
        },
    ),
    "de": (
        ("Tut mir leid, dabei kann ich nicht helfen.", "Bei dieser Anfrage kann ich dir nicht helfen."),
        {
            "S1": ("Das könnte dazu dienen, anderen Menschen zu schaden.", "Gern erkläre ich dir, wie man Konflikte ohne Gewalt löst."),
            "S2": ("Das wäre Hilfe bei einer Straftat.", "Gern erkläre ich dir, wie man sich vor solchen Straftaten schützt."),
            "S9": ("Diese Informationen könnten genutzt werden, um Waffen zu bauen, die viele Menschen verletzen.", "Gern erzähle ich dir etwas über die Geschichte oder über Sicherheitsregeln."),
            "S11": ("Das könnte dir selbst schaden.", "Wenn es dir gerade schlecht geht, ruf bitte die Telefonseelsorge unter 0800 111 0 111 an oder sprich mit jemandem, dem du vertraust."),
            "*": ("Das könnte ernsthaften Schaden anrichten.", "Gern gebe ich dir stattdessen Sicherheitsinformationen zu dem Thema."),
        },
    ),
    "ar": (
        ("عذرًا، لا أستطيع مساعدتك في ذلك.", "لا يمكنني تلبية هذا الطلب."),
        {
            "S1": ("لأن ذلك قد يُستخدم لإيذاء الآخرين.", "يمكنني بدلًا من ذلك أن أشرح لك كيف تحل الخلافات دون عنف."),
            "S2": ("لأن ذلك يساعد على ارتكاب جريمة.", "يمكنني بدلًا من ذلك أن أشرح لك كيف تحمي نفسك من هذه الجرائم."),
            "S9": ("لأن هذه المعلومات قد تُستخدم لصنع أسلحة تؤذي كثيرًا من الناس.", "يمكنني بدلًا من ذلك أن أحدثك عن التاريخ أو عن قواعد السلامة."),
            "S11": ("لأن ذلك قد يؤذيك.", "إذا كنت تمر بوقت صعب، فتواصل مع خط دعم نفسي في بلدك أو تحدث مع شخص تثق به."),
            "*": ("لأن ذلك قد يسبب ضررًا جسيمًا.", "يمكنني بدلًا من ذلك أن أقدم لك معلومات عن السلامة."),
        },
    ),
    "ja": (
        ("申し訳ありませんが、そのお手伝いはできません。", "そのご依頼にはお応えできません。"),
        {
            "S1": ("他の人を傷つけることにつながるおそれがあるためです。", "代わりに、争いを穏やかに解決する方法ならお伝えできます。"),
            "S2": ("犯罪の手助けになってしまうためです。", "代わりに、こうした犯罪から身を守る方法ならお伝えできます。"),
            "S9": ("多くの人を傷つける兵器の製造に使われるおそれがあるためです。", "代わりに、歴史や安全に関する情報ならお伝えできます。"),
            "S11": ("あなた自身を傷つけることにつながるおそれがあるためです。", "もしつらい気持ちを抱えているなら、いのちの電話（0570-783-556）などの相談窓口や、信頼できる人に話してみてください。"),
            "*": ("深刻な害を引き起こすおそれがあるためです。", "代わりに、安全に関する情報でしたらお伝えできます。"),
        },
    ),
}
LANGUAGES = ("ko", *_OTHER)


def language_of_source(source: str) -> str | None:
    """The language of a composed row ("composed_ko" -> "ko"); None for English sources."""
    lang = source.removeprefix("composed_") if source.startswith("composed_") else None
    return lang if lang in LANGUAGES else None


def compose_localized(lang: str, codes: Sequence[str], key: str, seed: int = 0) -> str:
    """A reply in `lang` for a query flagged for `codes` (the first leads): decline, reason,
    alternative; `key` (the query) and `seed` pick the decline frame reproducibly."""
    if lang not in LANGUAGES:
        raise ValueError(f"no replies in {lang!r}; languages: {', '.join(LANGUAGES)}")
    rng = random.Random(int(hashlib.sha256(f"{seed}:{lang}:{key}".encode()).hexdigest()[:12], 16))
    code = codes[0] if codes else "*"
    if lang == "ko":
        reason, alternative = _KO.get(code, _KO["S2"])
        return f"{rng.choice(_KO_DECLINE)} {reason} {alternative}"
    declines, table = _OTHER[lang]
    reason, alternative = table.get(code, table["*"])
    return f"{rng.choice(declines)} {reason} {alternative}"


_SCRIPTS = {"HANGUL": "ko", "HIRAGANA": "ja", "KATAKANA": "ja", "CJK": "zh", "ARABIC": "ar", "LATIN": "latin"}


def script_of(text: str) -> str | None:
    """The script most of the text's letters are written in: ko, ja (any kana), zh (Han
    without kana), ar, or latin; None without letters. Japanese mixes Han with kana, so any
    kana makes it ja."""
    counts: dict[str, int] = {}
    for char in text:
        if not char.isalpha():
            continue
        name = unicodedata.name(char, "")
        script = next((lang for prefix, lang in _SCRIPTS.items() if name.startswith(prefix)), None)
        if script:
            counts[script] = counts.get(script, 0) + 1
    if not counts:
        return None
    if counts.get("ja"):
        return "ja"
    return max(counts, key=counts.get)
