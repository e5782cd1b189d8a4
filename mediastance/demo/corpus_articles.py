"""Texts of the demo corpus, read by make_corpus.py.

Every text here was written for the mediastance project (2026-11-28). The events are real
and public; the articles, the outlets, the bylines and most of the wording of quotes are
fictional. Two short quotations are kept because the project's own test case is about them:
Alibaba's English line "a step in the wrong direction and regrettable" and its Chinese line
that the coalition had been 被个别企业的私利绑架, as widely reported in May 2016.

One dict per page: path (also decides the language), story (a key of STORIES), outlet (a
key of make_corpus.OUTLETS), feed (en | zh | newsroom), author, published (ISO 8601),
title, body (paragraphs separated by blank lines), and optionally charset (utf-8 | gbk |
gb2312 | big5), date_style (meta | jsonld), duplicate_of (path of the original: the body is
copied from it), relevant (False for the off-topic page).
"""

STORIES: dict[str, str] = {
    "iacc-2016": "IACC suspends Alibaba's membership after brands protest (May 2016)",
    "saic-2015": "SAIC white paper on fakes on Taobao; Alibaba disputes it (Jan 2015)",
    "kering-2017": "Kering drops its New York lawsuit against Alibaba (Aug 2017)",
    "pdd-2018": "Pinduoduo fakes uproar after its IPO; regulator summons (Jul-Aug 2018)",
    "amazon-ccu-2020": "Amazon launches its Counterfeit Crimes Unit (Jun 2020)",
    "ustr-taobao-2016": "USTR puts Taobao back on the Notorious Markets list (Dec 2016)",
    "ustr-pdd-2020": "USTR adds Pinduoduo to the Notorious Markets list (Apr 2020)",
    "jd-2017": "JD.com anti-counterfeiting alliance and lawsuit against a fake seller (Jun 2017)",
    # same-company, same-day distractors: each its own story
    "alibaba-earnings-2016-05": "Distractor: analysts react to Alibaba's March-quarter results",
    "amazon-logistics-2020-06": "Distractor: Amazon expands its delivery network",
    "pdd-shares-2018-08": "Distractor: Pinduoduo's share price in its first trading week",
    "jd-618-2017": "Distractor: JD.com's 618 shopping festival",
    "off-topic": "Off-topic: West Coast port volumes (no topic keywords)",
}

ARTICLES: list[dict] = []

# ---------------------------------------------------------------- iacc-2016
ARTICLES += [
    dict(
        path="/en/2016/05/iacc-suspends-alibaba.html",
        story="iacc-2016",
        outlet="ptw",
        feed="en",
        author="Daniel Okafor",
        published="2016-05-13T14:20:00Z",
        title="Anti-counterfeiting group suspends Alibaba weeks after letting it in",
        body="""
The International AntiCounterfeiting Coalition (IACC) on Friday suspended Alibaba Group's
membership, less than a month after admitting the Chinese e-commerce company, following
protests from Michael Kors, Gucci and Tiffany.

The Washington-based coalition said its board had voted to suspend the new membership
category under which Alibaba had joined, and that it would review how the category had
been created. "We have heard our members loud and clear," IACC president Robert Barchiesi
said in a statement. "The coalition's strength depends on the trust of the brands that
founded it."

Alibaba's admission in April had split the group. Michael Kors quit in protest, saying it
could not sit on the same side of the table as a company whose Taobao marketplace it saw
as a major channel for counterfeit handbags. Gucci, part of the Kering group, which is
suing Alibaba in New York over fakes, also resigned, according to people familiar with the
matter, and Tiffany said it had raised objections with the board.

Alibaba called the decision regrettable. "We believe the IACC's decision is a step in the
wrong direction and regrettable," Jennifer Kuperman, Alibaba's head of international
corporate communications, said in an emailed statement. She said the company would keep
working with brands, with or without the coalition.

Alibaba has spent years defending itself against claims that fakes are rife on Taobao. The
company says it removed hundreds of millions of suspicious listings last year and that it
works with police across China to shut down factories that make counterfeit goods.

Critics say that is not enough. "Joining an association is not the same as fixing the
problem," said a lawyer who represents several luxury brands in trademark cases, who asked
not to be named because the cases are pending.

The coalition said members that had resigned in protest were welcome to return.
""",
    ),
    dict(
        path="/en/2016/05/alibaba-statement-iacc-decision.html",
        story="iacc-2016",
        outlet="ali-news",
        feed="newsroom",
        author="Alibaba Group Corporate Affairs",
        published="2016-05-13T18:05:00Z",
        date_style="jsonld",
        title="Alibaba Group statement on the IACC membership decision",
        body="""
Alibaba Group today issued the following statement on the decision of the International
AntiCounterfeiting Coalition to suspend its membership.

"We believe the IACC's decision is a step in the wrong direction and regrettable," said
Jennifer Kuperman, head of international corporate communications at Alibaba Group.

"Protecting intellectual property is a responsibility we share with rights holders. Our
commitment to fighting counterfeits does not depend on membership of any organisation, and
we will continue to work with brands, industry associations and law enforcement around the
world," she said.

The company said its platform governance teams and its online complaint system for rights
holders would continue to operate as before, and that brands that want to work with it
remain welcome to do so.
""",
    ),
    dict(
        path="/en/2016/05/iacc-board-suspends-new-category.html",
        story="iacc-2016",
        outlet="iacc-news",
        feed="newsroom",
        author="IACC Communications",
        published="2016-05-13T20:30:00Z",
        title="IACC board suspends e-commerce membership category",
        body="""
The Board of Directors of the International AntiCounterfeiting Coalition today voted to
suspend the membership category created earlier this year for online marketplaces, along
with the memberships granted under it, including that of Alibaba Group.

"The IACC exists to serve brand owners who are fighting counterfeiting and piracy every
day," said IACC president Robert Barchiesi. "Several of our members told us that this
category was created without enough consultation. We have listened, and we will take the
time to get it right."

Barchiesi said the coalition would continue its existing programme with online platforms,
under which rights holders can report listings of counterfeit goods through a single
channel. "That work has removed a great many fakes and it will go on," he said.

The board said it would consult members over the coming months before deciding whether the
category should be reinstated.
""",
    ),
    dict(
        path="/en/2016/05/luxury-brands-win-iacc-fight.html",
        story="iacc-2016",
        outlet="ledger",
        feed="en",
        author="Meredith Sloane",
        published="2016-05-14T09:10:00Z",
        title="How luxury brands forced the anti-fake coalition to drop Alibaba",
        body="""
It took less than four weeks for the luxury industry to reverse the International
AntiCounterfeiting Coalition's decision to admit Alibaba. On Friday the IACC suspended the
Chinese company's membership after Michael Kors, Gucci and Tiffany made clear they would
not stay in a coalition that counted Alibaba as a member.

For the brands, the argument was simple. "You do not invite the landlord of the market to
chair the neighbourhood watch," said a brand-protection executive at a European fashion
house, describing the mood among members. Several said Taobao still hosts large numbers of
counterfeit handbags, watches and jewellery despite the company's takedown programmes.

Robert Barchiesi, the IACC's president, had defended the decision to admit Alibaba in
April, saying it was better to have platforms inside the tent. On Friday he struck a
different note, saying the board had "heard our members loud and clear."

Alibaba called the reversal "a step in the wrong direction and regrettable", according to
a statement from its head of international corporate communications, Jennifer Kuperman.
The company's tone in English was measured; it said it would keep cooperating with brands.

Kering, which owns Gucci and Yves Saint Laurent, has been suing Alibaba in federal court in
New York since last year, accusing it of knowingly profiting from the sale of fakes.
Alibaba denies the claims.

The episode has raised questions about the IACC's governance, and about whether any
industry body can bridge the gap between Western brands and Chinese platforms. "The fight
against fakes needs the platforms," said a trademark lawyer in New York. "But the brands
want to see results before handshakes."
""",
    ),
    dict(
        path="/en/2016/05/alibaba-chinese-statement-harsher.html",
        story="iacc-2016",
        outlet="hbd",
        feed="en",
        author="Vivian Ho",
        published="2016-05-16T03:30:00Z",
        title="Alibaba's two voices: measured in English, scathing in Chinese over IACC snub",
        body="""
Alibaba Group's response to its suspension from the International AntiCounterfeiting
Coalition read very differently depending on which language you read it in.

In English, the company said the IACC's decision was "a step in the wrong direction and
regrettable", a line attributed to Jennifer Kuperman, its head of international corporate
communications.

The Chinese-language statement, posted on the company's official accounts, was far
sharper. It said the coalition had been "kidnapped by the personal interests of some
individual enterprises", and suggested that certain brands were more interested in
pressuring Alibaba than in fighting counterfeits.

Chinese media went further. Several commentaries described the episode as humiliating for
Alibaba, and one mainland business site said the company had been "shamed" in front of the
global industry, while others blamed the foreign brands for what they called double
standards.

Analysts in Hong Kong said the split reflected two audiences. "In English, Alibaba is
talking to investors and Western partners. In Chinese, it is talking to a domestic public
that sees this as foreigners ganging up on a national champion," said a media analyst at a
Hong Kong university.

The IACC said on Friday that its board had suspended the membership category under which
Alibaba joined and would consult members before deciding its future.
""",
    ),
    dict(
        path="/en/2016/05/alibaba-ousted-from-fake-fighting-group.html",
        story="iacc-2016",
        outlet="metro",
        feed="en",
        author="Daniel Okafor",
        published="2016-05-15T11:00:00Z",
        duplicate_of="/en/2016/05/iacc-suspends-alibaba.html",
        title="Alibaba ousted from anti-counterfeiting coalition after brand revolt",
        body="",
    ),
    dict(
        path="/zh/2016/05/iacc-zanting-alibaba-huiji.html",
        story="iacc-2016",
        outlet="hsc",
        feed="zh",
        author="周敏",
        published="2016-05-14T10:00:00+08:00",
        title="国际反假冒联盟暂停阿里巴巴会员资格 阿里称联盟被私利绑架",
        body="""
国际反假冒联盟（IACC）当地时间13日宣布，暂停阿里巴巴集团的会员资格。距离阿里巴巴加入该联盟还不到一个月。

据外媒报道，迈克高仕（Michael Kors）、古驰（Gucci）和蒂芙尼等品牌此前对阿里巴巴入盟表示强烈反对，迈克高仕更是以退出联盟表示抗议。

IACC主席罗伯特·巴尔基耶西（Robert Barchiesi）在声明中说，联盟“清楚地听到了会员的声音”，董事会决定暂停为电商平台设立的新会员类别，并将重新评估。

对此，阿里巴巴在中文声明中措辞强硬。阿里巴巴称，国际反假冒联盟已经“被个别企业的私利绑架”，这一决定“令人遗憾”，但阿里巴巴打假的决心不会因此改变。

阿里巴巴表示，过去一年平台主动删除了大量涉嫌售假的商品链接，并配合各地公安机关打击假货生产源头。“打假不是做给谁看的，我们会继续和真正愿意解决问题的品牌合作。”

业内人士认为，此事反映出国际品牌与中国电商平台之间的互信仍然不足。一位知识产权律师表示，平台和品牌本应是打假的盟友，“互相指责只会让售假者得利”。
""",
    ),
    dict(
        path="/zh/2016/05/alibaba-guanyu-iacc-shengming.html",
        story="iacc-2016",
        outlet="ali-news-zh",
        feed="newsroom",
        author="阿里巴巴集团公共事务部",
        published="2016-05-14T09:30:00+08:00",
        date_style="jsonld",
        title="阿里巴巴集团关于国际反假冒联盟暂停会员资格的声明",
        body="""
针对国际反假冒联盟（IACC）暂停阿里巴巴集团会员资格一事，阿里巴巴集团发表声明如下。

阿里巴巴集团在声明中说：“我们遗憾地看到，一个以打击假冒为宗旨的国际组织，已经被个别企业的私利绑架。这不仅是对阿里巴巴的不公，也是对全球打假事业的伤害。”

声明称，阿里巴巴加入IACC是为了与全球品牌共同打假，“我们从来不需要一个会员身份来证明打假的决心”。

阿里巴巴表示，将继续通过知识产权保护平台与品牌权利人合作，继续配合执法机关追查假货源头，“无论在不在这个联盟里，阿里巴巴打假的行动都不会停止”。
""",
    ),
    dict(
        path="/zh/2016/05/alibaba-bei-zhuchu-fanjiamao-lianmeng.html",
        story="iacc-2016",
        outlet="dfjj",
        feed="zh",
        author="高远",
        published="2016-05-15T08:40:00+08:00",
        title="评论：被反假冒联盟“请出门” 阿里蒙羞背后的屈辱与反思",
        body="""
入盟不足一个月即被暂停会员资格，阿里巴巴这次在国际反假冒联盟（IACC）的遭遇，被不少业内人士形容为一次“屈辱”的经历。

事情的起因是，迈克高仕、古驰等奢侈品牌对阿里巴巴加入联盟强烈不满。古驰母公司开云集团至今仍在美国纽约起诉阿里巴巴，指其平台纵容售假。在品牌的集体施压下，IACC董事会最终让步。

阿里巴巴在中文声明中称，IACC已经“被个别企业的私利绑架”。这句话在社交媒体上获得大量转发，不少网友认为，外国品牌对中国平台存在双重标准。

但也有声音认为，阿里巴巴不应只把矛头指向外部。一位长期研究电商治理的学者表示：“淘宝上的假货问题是真实存在的，平台蒙羞，根源在于售假没有被根治。”

值得注意的是，阿里巴巴的英文声明语气明显温和，只说这一决定是“错误方向上的一步，令人遗憾”。有评论指出，同一件事对内对外两种口径，本身就说明阿里巴巴面临的舆论压力有多大。

对于中国电商企业而言，这次风波是一个提醒：要赢得国际品牌的信任，靠的不是加入哪个组织，而是拿出看得见的打假成效。
""",
    ),
    dict(
        path="/zh/2016/05/iacc-zanting-alibaba-huiji-hk.html",
        story="iacc-2016",
        outlet="gwcj",
        feed="zh",
        author="陳家豪",
        published="2016-05-14T12:15:00+08:00",
        charset="big5",
        title="國際反假冒聯盟暫停阿里巴巴會籍 品牌施壓奏效",
        body="""
總部設於華盛頓的國際反假冒聯盟（IACC）周五宣布，暫停阿里巴巴的會員資格。阿里巴巴上月才獲准加入，事件前後不足一個月。

消息指出，時裝品牌Michael Kors、古馳（Gucci）及Tiffany等會員早前強烈反對阿里入盟，其中Michael Kors更宣布退出聯盟以示抗議。

IACC主席Robert Barchiesi在聲明中表示：「我們清楚聽到了會員的意見。」他稱董事會將重新檢討新設立的電商會員類別。

阿里巴巴在中文聲明中批評，聯盟已經「被個別企業的私利綁架」；其英文聲明則只稱決定「令人遺憾」，語氣溫和得多。

有本港知識產權律師認為，淘寶長期被指充斥假貨，品牌對阿里的不信任由來已久，「這次風波對阿里的國際形象無疑是一次打擊」。

阿里巴巴股價周五在紐約收市微跌。分析員指，事件對公司業務的直接影響有限，但假貨問題仍是投資者關注的風險。
""",
    ),
]

# ---------------------------------------------------------------- distractor: Alibaba earnings
ARTICLES += [
    dict(
        path="/en/2016/05/alibaba-shares-analysts-raise-targets.html",
        story="alibaba-earnings-2016-05",
        outlet="ledger",
        feed="en",
        author="Tom Whitcombe",
        published="2016-05-13T16:45:00Z",
        title="Alibaba shares climb as analysts raise targets on mobile growth",
        body="""
Alibaba Group shares rose on Friday after several brokerages raised their price targets,
saying the company's latest quarterly results showed it was turning mobile shoppers into
advertising revenue faster than expected.

Revenue for the March quarter grew 39 percent from a year earlier, and mobile now accounts
for the majority of gross merchandise volume on its China retail marketplaces, the company
said when it reported results last week.

"Monetisation on mobile has caught up with desktop sooner than we modelled," an analyst at
a Hong Kong brokerage wrote in a note to clients. Another said the cloud computing unit
could become a second growth engine within three years.

Chief financial officer Maggie Wu said on the earnings call that the company would keep
investing in logistics through its affiliate Cainiao and in rural e-commerce.

Some investors remain cautious about the company's accounting disclosures and about
regulatory scrutiny of counterfeit goods on its platforms, which analysts said had little
visible effect on this quarter's numbers.

The stock has gained about 8 percent since the results were released.
""",
    ),
    dict(
        path="/zh/2016/05/alibaba-gujia-zoudi-fenxishi.html",
        story="alibaba-earnings-2016-05",
        outlet="kjq",
        feed="zh",
        author="刘畅",
        published="2016-05-13T11:00:00+08:00",
        title="阿里巴巴季度财报获分析师看好 移动端变现超预期",
        body="""
阿里巴巴集团日前公布的2016财年第四季度财报显示，当季营收同比增长39%，移动端交易额占中国零售平台总交易额的比例继续提升。

多家券商随后上调了阿里巴巴的目标股价。一位香港券商分析师在报告中表示，阿里巴巴移动端的变现速度“快于此前预期”，云计算业务有望成为新的增长引擎。

阿里巴巴首席财务官武卫在财报电话会议上说，公司将继续加大对菜鸟物流和农村电商的投入。

分析人士指出，投资者仍关注监管部门对平台假货问题的态度，但从本季度数据看，相关争议对业务的影响并不明显。

财报发布以来，阿里巴巴股价累计上涨约8%。
""",
    ),
]

# ---------------------------------------------------------------- off-topic
ARTICLES += [
    dict(
        path="/en/2016/05/west-coast-port-volumes.html",
        story="off-topic",
        outlet="metro",
        feed="en",
        author="Carla Jimenez",
        published="2016-05-13T15:30:00Z",
        relevant=False,
        title="West Coast port volumes rise for a third straight month",
        body="""
Container volumes at the largest ports on the US West Coast rose for a third consecutive
month in April, helped by an early restocking season for summer goods, port officials said
on Friday.

The ports of Los Angeles and Long Beach together handled about 1.4 million twenty-foot
equivalent units, up 6 percent from a year earlier, according to figures released by the
two port authorities.

"Retailers are bringing in garden furniture, outdoor equipment and clothing earlier than
last year," said a spokesman for the Port of Long Beach. "Our terminals have kept up, but
truck turn times are something we are watching."

Labour relations at the docks have been calm since a contract dispute was settled last
year, and the two ports have invested in electric cranes and cleaner trucks.

Economists said the figures pointed to steady consumer demand heading into the summer,
although exports of farm products remained weak because of the strong dollar.
""",
    ),
]

# ---------------------------------------------------------------- saic-2015
ARTICLES += [
    dict(
        path="/en/2015/01/saic-report-taobao-fakes.html",
        story="saic-2015",
        outlet="ptw",
        feed="en",
        author="Grace Lin",
        published="2015-01-28T08:15:00Z",
        title="China regulator says most goods sampled on Taobao were not genuine; Alibaba hits back",
        body="""
China's State Administration for Industry and Commerce (SAIC) said in a report that only
37 percent of the products it sampled on Alibaba's Taobao marketplace were genuine, the
lowest rate among the online platforms it checked, prompting an unusually public rebuttal
from the e-commerce giant.

The regulator's white paper, based on test purchases made in the second half of last
year, accused Alibaba of failing to police counterfeit goods, bribery of staff and the
sale of banned items, and said the company had ignored problems for too long. "Alibaba
has not taken the issue of illegal business on its platforms seriously," the SAIC said.

Alibaba rejected the findings. In a statement posted online, the company said the
sampling method was flawed and that a sample of 51 items could not represent a market with
hundreds of millions of listings. "We welcome fair supervision, but we oppose unfair,
procedurally improper conduct," Alibaba said, and it said it would file a formal complaint
against an official at the regulator.

The public dispute between a government agency and China's most valuable private company
rattled investors. Alibaba's New York-listed shares fell more than 4 percent on Wednesday.

Brand owners said the report confirmed what they had been saying for years. "The numbers
are consistent with our own test buys," said a representative of an international luxury
brand in Shanghai, who declined to be named.

Alibaba says it spent more than 1 billion yuan on fighting fakes in the past two years and
removed 90 million suspicious listings in 2014.
""",
    ),
    dict(
        path="/en/2015/01/saic-softens-tone-alibaba.html",
        story="saic-2015",
        outlet="hbd",
        feed="en",
        author="Vivian Ho",
        published="2015-01-30T10:20:00Z",
        title="Beijing regulator softens tone in Alibaba fakes row after shares slide",
        body="""
China's top commerce regulator appeared to step back from its confrontation with Alibaba
Group on Friday, saying that a report accusing Taobao of widespread counterfeit sales had
no legal force and was meant to guide the industry rather than punish one company.

"The white paper is not a legally binding document," an SAIC spokesman said at a briefing
in Beijing, according to a transcript on the regulator's website. He said the SAIC wanted
to work with Alibaba to improve supervision of online markets.

The comments came a day after Jack Ma, Alibaba's founder and executive chairman, met the
head of the regulator, Zhang Mao. Alibaba said after the meeting that it would invest more
in fighting fakes and in cooperation with the authorities. "Alibaba is willing to bear
more responsibility," the company said in a statement.

The dispute wiped billions of dollars off Alibaba's market value this week and drew the
attention of US law firms, several of which said they were looking into whether the
company should have disclosed the regulator's concerns before its IPO in New York last
year.

Analysts said the softer tone did not mean the issue would go away. "The fake goods
problem is the biggest reputational risk Alibaba faces," said an equity analyst in Hong
Kong.
""",
    ),
    dict(
        path="/en/2015/02/taobao-fakes-row-brands.html",
        story="saic-2015",
        outlet="grr",
        feed="en",
        author="Hannah Brooks",
        published="2015-02-01T13:00:00Z",
        title="What the Taobao fakes row means for brands selling in China",
        body="""
The week-long dispute between Alibaba and China's State Administration for Industry and
Commerce has ended in a truce, but for brands that sell into China the questions raised by
the regulator's white paper on counterfeits remain.

The SAIC said in its report that most goods it sampled on Taobao were not genuine.
Alibaba called the sampling unscientific, before both sides said they would cooperate.
"This was never going to be settled by a press release," said a retail consultant in
Shanghai.

For brand owners the practical issue is enforcement. Brand-protection managers say
takedown requests on Taobao are processed faster than a few years ago, but sellers whose
listings are removed often reappear under new shop names within days.

"We file thousands of notices a month," said the head of brand protection at a sportswear
company, speaking on condition of anonymity. "Alibaba's tools have improved, but the fakes
come back."

Alibaba said this week that it would hire more staff for its anti-counterfeiting team and
open its data to brands. Whether that satisfies the regulator, and the brands, will be
seen in the next round of test purchases.
""",
    ),
    dict(
        path="/zh/2015/01/gongshang-zongju-baipishu-taobao.html",
        story="saic-2015",
        outlet="dfjj",
        feed="zh",
        author="孙立",
        published="2015-01-28T09:30:00+08:00",
        title="工商总局白皮书：淘宝网正品率仅37% 阿里巴巴强烈回应",
        body="""
国家工商总局近日发布的网络交易商品定向监测结果显示，在被抽检的电商平台中，淘宝网的正品率仅为37.25%，为各平台中最低。

工商总局在白皮书中称，阿里巴巴系平台存在售假、商家违规经营、工作人员收受贿赂等问题，阿里巴巴“对平台上的违法经营行为长期以来没有给予足够重视”。

对此，阿里巴巴迅速作出回应。淘宝在官方微博发表公开信，称监测“程序失当、情绪执法”，并表示将向工商总局正式投诉相关负责人。阿里巴巴表示：“我们欢迎公正监管，但反对不公正的执法。”

阿里巴巴还称，51个样本无法代表一个拥有数亿商品的市场，抽样方法不科学。

这场罕见的政企公开交锋引发市场震动。阿里巴巴在美股市场的股价当日下跌超过4%。

有电商行业人士表示，假货问题是电商行业的顽疾，平台和监管部门都有责任，“公开争吵解决不了问题，打假需要合力”。
""",
    ),
    dict(
        path="/zh/2015/01/taobao-huiying-gongshang-zongju.html",
        story="saic-2015",
        outlet="nlds",
        feed="zh",
        author="王喆 李堃",
        published="2015-01-29T08:50:00+08:00",
        charset="gb2312",
        title="淘宝回应工商总局白皮书：抽检方法不科学 将正式投诉",
        body="""
针对国家工商总局发布的网络交易商品监测结果，淘宝网29日再次发声，称监测抽样“不科学、不公正”。

淘宝方面表示，此次监测只在淘宝网抽取了51个样本，“用51个样本得出正品率的结论，在方法上站不住脚”。淘宝称，平台一直在打假，去年共删除涉嫌售假商品链接9000万条。

工商总局相关负责人此前称，阿里巴巴对平台售假问题“长期以来没有给予足够重视”，并称监测结果是对消费者负责。

不少网友在社交媒体上表示，自己确实在淘宝买到过假货，“平台喊冤之前，先管好自己的卖家”。也有网友认为，监管部门也应该反思，为何假货能在线下和线上长期存在。

南岭市消费者协会一位工作人员表示，今年以来受理的网购投诉中，涉及假冒商品的占相当比例，“消费者最关心的是买到的是不是正品，出了问题能不能退赔”。

业内人士认为，政企双方的争议有望通过沟通化解，但电商平台的打假压力只会越来越大。
""",
    ),
    dict(
        path="/zh/2015/01/gongshang-zongju-ruanhua-taobao-tw.html",
        story="saic-2015",
        outlet="tbjm",
        feed="zh",
        author="林怡君",
        published="2015-01-30T18:40:00+08:00",
        charset="big5",
        title="中國工商總局軟化立場 淘寶假貨風波暫告降溫",
        body="""
中國國家工商總局與阿里巴巴之間的假貨爭議出現轉折。工商總局發言人30日表示，日前公布的網路商品抽檢白皮書「不具法律效力」，目的是指導行業發展。

據中國官方媒體報導，阿里巴巴創辦人馬雲日前與工商總局局長張茅會面，雙方同意加強合作，共同打擊網路售假。阿里巴巴在聲明中稱，公司「願意承擔更多責任」。

工商總局的白皮書指出，在淘寶抽檢的商品中，正品率只有約37%。阿里巴巴先前強烈反駁，批評抽樣方法不科學，並揚言正式投訴。

此次風波令阿里巴巴市值在一周內蒸發數百億美元。台灣品牌業者指出，不少台灣商品在淘寶上遭到仿冒，「希望兩岸平台都能更重視智慧財產權」。

分析師認為，雙方雖然暫時休兵，但假貨問題仍是阿里巴巴最大的聲譽風險。
""",
    ),
    dict(
        path="/zh/2015/01/zhili-jiahuo-xuyao-heli.html",
        story="saic-2015",
        outlet="xxf",
        feed="zh",
        author="许静",
        published="2015-01-31T08:00:00+08:00",
        title="新消费评论：治理网络假货 平台与监管不能各说各话",
        body="""
工商总局与阿里巴巴围绕淘宝假货问题的争议，在双方高层会面后暂告一段落。工商总局表示白皮书不具有法律效力，阿里巴巴则称愿意承担更多责任。

这场风波的意义，不在于谁赢谁输。工商总局发布的数据显示，淘宝抽检正品率只有37%，这个数字是否科学可以讨论，但消费者在网上买到假货的体验是真实的。

阿里巴巴称平台去年删除了数千万条涉嫌售假的商品信息，这说明平台在打假上确实投入了力量；但删除链接之后，售假者换个店名又能重新开张，说明治理还停留在表面。

一位消费者权益专家表示：“打假不能只靠平台自查，也不能只靠监管部门一纸白皮书，关键是让售假者付出真正的代价。”

期待这次争议能推动平台、品牌和监管部门建立长效的打假机制，而不是下一次再上演公开论战。
""",
    ),
]

# ---------------------------------------------------------------- kering-2017
ARTICLES += [
    dict(
        path="/en/2017/08/kering-drops-alibaba-lawsuit.html",
        story="kering-2017",
        outlet="ptw",
        feed="en",
        author="Grace Lin",
        published="2017-08-22T13:40:00Z",
        title="Gucci owner Kering drops counterfeit lawsuit against Alibaba",
        body="""
Kering, the French owner of Gucci, Yves Saint Laurent and Balenciaga, has dropped its
lawsuit accusing Alibaba Group of profiting from the sale of counterfeit goods, the two
companies said on Tuesday, ending a legal fight that began in a New York federal court two
years ago.

In a joint statement, the companies said they had agreed to work together to protect
Kering's trademarks on Alibaba's platforms, including faster removal of infringing
listings and joint investigations into the sellers behind them.

"This agreement reflects our shared commitment to protecting intellectual property," the
companies said. A Kering spokeswoman said the group would judge the partnership "by the
results it delivers for our brands and our customers."

Alibaba welcomed the settlement. "We have always believed that brands and platforms are
stronger when they fight counterfeits together," the company said in a separate statement,
adding that the case had been "an unnecessary distraction."

Kering's suit, filed in May 2015 in Manhattan, alleged that Alibaba knowingly allowed
sellers to offer fake Gucci bags and Saint Laurent shoes and helped them reach buyers
through advertising. Alibaba called the claims baseless.

Terms of the settlement were not disclosed. Neither company admitted wrongdoing.
""",
    ),
    dict(
        path="/en/2017/08/kering-alibaba-truce-brand-strategy.html",
        story="kering-2017",
        outlet="grr",
        feed="en",
        author="Hannah Brooks",
        published="2017-08-23T15:05:00Z",
        title="Kering's truce with Alibaba signals a shift in how brands fight fakes",
        body="""
When Kering sued Alibaba in 2015, the message to the luxury industry was that Chinese
platforms had to be forced into taking counterfeits seriously. Its decision this week to
drop the case in favour of cooperation sends a different signal.

"Litigation was a way to get Alibaba's attention. Now the question is whether cooperation
gets results," said a brand-protection consultant in Paris who has advised several luxury
houses on enforcement in China.

Under the agreement, Kering's brand-protection staff will work directly with Alibaba's
intellectual property team, according to the two companies, and Alibaba will share data
on repeat infringers with Kering's investigators.

Other brands are watching. A spokesman for a US accessories maker, which quit the
International AntiCounterfeiting Coalition last year after Alibaba joined it, said the
company had "no plans" to change its approach but was "encouraged" by the Kering deal.

Sceptics point out that fakes of Gucci bags remain easy to find on smaller websites and
on social media. "Settling with one platform does not solve a problem that has moved to
dozens of channels," said a trademark lawyer in New York.
""",
    ),
    dict(
        path="/en/2017/08/alibaba-vindicated-kering.html",
        story="kering-2017",
        outlet="hbd",
        feed="en",
        author="Vivian Ho",
        published="2017-08-23T04:15:00Z",
        title="Alibaba hails end of Kering case as proof its anti-fake push is working",
        body="""
Alibaba Group has presented the end of Kering's lawsuit in New York as evidence that its
campaign against counterfeits is winning over the luxury brands that once accused it of
turning a blind eye.

"The fact that Kering chose to work with us is the best answer to those who say we do not
care about fakes," an Alibaba spokeswoman in Hong Kong said on Wednesday. The company says
it uses image recognition and data analysis to remove counterfeit listings before they are
seen by shoppers.

Kering, which owns Gucci and Yves Saint Laurent, had accused Alibaba of profiting from the
sale of counterfeit products. It withdrew the suit on Tuesday, and both companies said
they would cooperate on enforcement.

Hong Kong-based lawyers said the settlement fit a wider pattern of brands preferring
cooperation agreements over court fights with platforms. "A lawsuit in New York takes
years. A takedown agreement works in hours," said a partner at an intellectual property
firm in Central.

Alibaba's shares were little changed on the news.
""",
    ),
    dict(
        path="/zh/2017/08/kaiyun-chesu-alibaba.html",
        story="kering-2017",
        outlet="hsc",
        feed="zh",
        author="周敏",
        published="2017-08-23T09:20:00+08:00",
        title="开云集团撤回对阿里巴巴的诉讼 双方宣布联手打假",
        body="""
旗下拥有古驰（Gucci）、圣罗兰（Yves Saint Laurent）等品牌的法国奢侈品集团开云，当地时间22日宣布撤回在美国纽约对阿里巴巴提起的假货诉讼。

开云集团与阿里巴巴在联合声明中表示，双方将在知识产权保护方面展开合作，包括更快下架侵权商品、联合调查售假商家等。

阿里巴巴在声明中称：“品牌和平台携手，才能更有效地打击假货。”阿里巴巴表示，这场诉讼本来就“没有必要”。

开云方面发言人表示，集团将根据合作的实际效果来评价这一伙伴关系。

开云于2015年5月在纽约联邦法院起诉阿里巴巴，指控其平台纵容商家销售假冒古驰、圣罗兰商品并从中获利。阿里巴巴一直否认相关指控。

有业内人士表示，从对簿公堂到握手言和，说明国际品牌对中国电商平台打假能力的认可度有所提升。双方均未披露和解条款。
""",
    ),
    dict(
        path="/zh/2017/08/kaiyun-alibaba-hejie-beihou.html",
        story="kering-2017",
        outlet="kjq",
        feed="zh",
        author="刘畅",
        published="2017-08-24T10:30:00+08:00",
        title="从对簿公堂到联手打假：开云与阿里和解背后",
        body="""
两年前，开云集团在纽约起诉阿里巴巴，指其平台“纵容售假”；两年后，双方宣布撤诉并联手打假。这一转变引发业内关注。

一位长期从事品牌维权的律师表示，跨国诉讼耗时长、成本高，对品牌来说，与平台直接建立快速投诉和下架机制更加现实。“诉讼是手段，不是目的。”

阿里巴巴表示，公司近年来加大了技术打假投入，利用图片识别和大数据识别仿冒商品，“绝大多数疑似侵权商品在上架前就被拦截”。

不过，也有观点认为，假货并没有消失，而是从大平台流向社交电商和小网站。一位品牌方人士表示：“和一家平台和解，并不意味着假货问题就解决了。”

分析人士认为，开云与阿里巴巴的和解，或将推动更多国际品牌以合作代替对抗，共同应对网络售假。
""",
    ),
]

# ---------------------------------------------------------------- pdd-2018
ARTICLES += [
    dict(
        path="/zh/2018/07/pinduoduo-shangshi-shanzhai-fengbo.html",
        story="pdd-2018",
        outlet="xxf",
        feed="zh",
        author="许静",
        published="2018-07-30T09:00:00+08:00",
        title="拼多多上市即陷“山寨”风波 平台回应：坚决打击假货",
        body="""
在美国纳斯达克上市仅几天，拼多多就陷入了一场关于“山寨”和假货的舆论风波。

连日来，不少网友在社交媒体上晒出在拼多多购买的商品：“小米新品”来自一家与小米毫无关系的公司，“创维”电视写成了“创佳”，洗衣粉包装与知名品牌几乎一模一样。有网友调侃，拼多多是“山寨货的天堂”。

一些被仿冒的品牌也公开表态。一家家电企业在声明中说，公司从未授权任何商家在拼多多销售相关山寨产品，将通过法律途径维护权益。

拼多多方面回应称，平台对假货“零容忍”，已对相关商品进行下架处理，并将配合品牌方追究售假商家的责任。拼多多表示：“山寨和假货是行业顽疾，我们会投入更多资源坚决打击。”

消费者权益专家指出，低价并不是售假的理由，平台对入驻商家的资质审核和商品审查负有责任。“消费者买到的应该是正品，而不是看起来像正品的东西。”

业内人士认为，拼多多凭借低价和社交拼团快速崛起，但要赢得更多消费者和品牌的信任，必须正面回应假货问题。
""",
    ),
    dict(
        path="/zh/2018/08/pinduoduo-shanzhai-fengbo-zhuanzai.html",
        story="pdd-2018",
        outlet="bfcb",
        feed="zh",
        author="许静",
        published="2018-08-01T08:30:00+08:00",
        duplicate_of="/zh/2018/07/pinduoduo-shangshi-shanzhai-fengbo.html",
        title="刚上市就遭遇“山寨”质疑 拼多多称对假货零容忍",
        body="",
    ),
    dict(
        path="/en/2018/07/pinduoduo-fake-goods-backlash.html",
        story="pdd-2018",
        outlet="ptw",
        feed="en",
        author="Daniel Okafor",
        published="2018-07-31T12:00:00Z",
        title="Pinduoduo faces fake goods backlash days after Nasdaq debut",
        body="""
Pinduoduo, the Chinese group-buying app that raised $1.6 billion in a New York listing
last week, is facing a backlash over knockoff and counterfeit products, and China's market
regulator said on Tuesday it had asked local officials to look into the complaints.

The State Administration for Market Regulation said it had instructed the Shanghai
authorities to summon Pinduoduo's management over reports of fake and shanzhai goods on
the platform, according to a notice on its website, and to investigate any illegal
activity.

Users have posted photos of televisions branded "Skyway" instead of Skyworth and of
detergent packs designed to look like famous brands. Several manufacturers said they were
considering legal action.

"We have zero tolerance for counterfeit goods," Pinduoduo said in a statement. The company
said it had removed the listings in question and would cooperate fully with the
authorities and with brand owners.

Founder and chief executive Colin Huang told reporters earlier this week that the company
had been "pushed to the front" because of its rapid growth and that cheap goods were not
the same as fake goods. Critics say the distinction is lost on shoppers who think they are
buying a famous brand.

Pinduoduo's shares fell on Monday and Tuesday after rising sharply on their first day of
trading.
""",
    ),
    dict(
        path="/en/2018/08/regulators-summon-pinduoduo.html",
        story="pdd-2018",
        outlet="atd",
        feed="en",
        author="Priya Raman",
        published="2018-08-01T06:10:00Z",
        title="Shanghai regulators summon Pinduoduo over knockoffs; company vows crackdown",
        body="""
Regulators in Shanghai met Pinduoduo executives on Wednesday over complaints about
counterfeit and knockoff products sold on its platform, days after the group-buying app's
blockbuster US listing.

The Shanghai market regulator said it had asked the company to step up checks on
merchants, to remove products that infringe trademarks and to cooperate with brand
owners, according to a statement released after the meeting.

Pinduoduo said it had removed more than 4,000 suspect listings and closed over 1,000 shops
since the complaints surfaced. "We welcome the supervision of regulators and the public,"
the company said in a statement. It said it would set up a fund to compensate shoppers who
bought fakes.

The episode has drawn comparisons with the early days of Taobao, Alibaba's marketplace,
which spent years fighting accusations that it tolerated fakes. "Every Chinese platform
goes through this phase. The question is how fast Pinduoduo gets out of it," said an
e-commerce analyst in Singapore.

Some consumer advocates were less forgiving. "Zero tolerance has to mean more than a press
release," said a consumer rights lawyer in Beijing.
""",
    ),
    dict(
        path="/en/2018/08/pinduoduo-shanzhai-problem.html",
        story="pdd-2018",
        outlet="grr",
        feed="en",
        author="Hannah Brooks",
        published="2018-08-02T14:00:00Z",
        date_style="jsonld",
        title="Pinduoduo's shanzhai problem: why cheap knockoffs thrive in China's smaller cities",
        body="""
The storm over counterfeits on Pinduoduo this week has put a spotlight on shanzhai, the
Chinese term for knockoff products that imitate well-known brands without quite copying
them.

Many of the goods that drew complaints, such as televisions and detergents with names one
letter away from famous brands, are cheap and aimed at shoppers in smaller cities and rural
areas who are new to online shopping. "For these buyers, the brand is less important than
the price," said a retail researcher in Shanghai.

Regulators see it differently. China's market regulator said this week that knockoffs
which mislead consumers break the law, and Shanghai officials summoned Pinduoduo's
management to demand action.

Pinduoduo said it had stepped up checks on merchants and removed thousands of listings. A
company spokesman said it would "never allow fakes to hide behind low prices."

Brand owners say enforcement is the test. "We will judge Pinduoduo by how quickly the same
sellers come back," said a brand-protection manager at a consumer goods company.
""",
    ),
    dict(
        path="/zh/2018/08/shanghai-yuetan-pinduoduo.html",
        story="pdd-2018",
        outlet="nlds",
        feed="zh",
        author="赵昇",
        published="2018-08-01T19:20:00+08:00",
        charset="gbk",
        title="市场监管部门约谈拼多多 要求严查山寨假冒商品",
        body="""
国家市场监管总局7月31日表示，已责成上海市有关部门约谈拼多多，要求其依法依规加强平台治理，严查山寨、假冒商品。

8月1日，上海市相关监管部门对拼多多进行了行政约谈。监管部门要求拼多多对媒体反映的问题进行自查自纠，加强对入驻商家的审核，配合品牌方处理侵权投诉。

拼多多方面表示，接受监管部门的指导，平台已下架涉嫌侵权商品4000余件，关闭店铺1000余家，并将设立消费者保障基金，“对售假商家绝不姑息”。

记者在南岭市区随机采访了十余位市民，多数人表示听说过拼多多，有人买过“很便宜但质量一般”的商品。一位市民说：“便宜可以理解，但假冒别人的商标就不行了。”

律师表示，商品名称、包装故意模仿知名品牌，可能构成商标侵权和不正当竞争，平台如果明知或应知而未采取措施，也要承担相应责任。
""",
    ),
    dict(
        path="/zh/2018/08/pinduoduo-pingtai-zhili-shengming.html",
        story="pdd-2018",
        outlet="pdd-news",
        feed="newsroom",
        author="拼多多公关部",
        published="2018-08-01T16:00:00+08:00",
        title="拼多多关于平台治理及打击假冒商品的声明",
        body="""
近日，部分媒体和网友反映拼多多平台存在山寨、假冒商品的问题。拼多多高度重视，现就相关情况声明如下。

拼多多在声明中说：“我们对假货零容忍。平台已下架涉嫌侵权商品4000余件，关闭违规店铺1000余家，并将设立专项基金，对买到假货的消费者先行赔付。”

声明同时称，近期网络上出现了大量针对拼多多的不实信息，“一些竞争对手借机恶意抹黑、有组织地炒作”，拼多多将保留追究法律责任的权利。

拼多多表示，平台将主动与品牌方建立快速投诉通道，接受监管部门和社会各界的监督。“低价不等于假货，我们绝不允许假货躲在低价背后。”
""",
    ),
    dict(
        path="/zh/2018/08/neidi-yuetan-pinduoduo-hk.html",
        story="pdd-2018",
        outlet="gwcj",
        feed="zh",
        author="梁詠詩",
        published="2018-08-01T21:05:00+08:00",
        title="內地監管部門約談拼多多 山寨貨風波持續發酵",
        body="""
剛在美國上市的內地電商拼多多，因平台出現大量山寨及假冒商品，周三被上海監管部門約談。

國家市場監督管理總局早前表示，已要求上海有關部門約談拼多多，並嚴肅查處平台上的侵權假冒行為。

拼多多回應稱，公司對假貨「零容忍」，已下架涉嫌侵權商品四千多件，並設立基金賠付消費者。不過其聲明亦指，有人「惡意抹黑」公司。

有本港零售業界人士表示，拼多多的低價模式吸引大量三四線城市用戶，但山寨貨問題若處理不好，會影響品牌商入駐意願。

有分析員指，事件短期內或令投資者擔心監管風險，但更關鍵的是公司能否拿出有效的打假措施。
""",
    ),
]

# ---------------------------------------------------------------- distractor: Pinduoduo shares
ARTICLES += [
    dict(
        path="/en/2018/08/pinduoduo-shares-first-week.html",
        story="pdd-shares-2018-08",
        outlet="ledger",
        feed="en",
        author="Tom Whitcombe",
        published="2018-08-01T20:30:00Z",
        title="Pinduoduo's first week on Nasdaq: a rollercoaster for early investors",
        body="""
Shares in Pinduoduo ended their first full week of trading on Wednesday well above the
$19 offer price, despite a sharp pullback from the first-day peak, as investors weighed
the group-buying app's rapid growth against its heavy losses.

The stock jumped 40 percent on its debut last Thursday, valuing the three-year-old
company at about $30 billion, more than some established Chinese online retailers.

"The market is paying for user growth. Pinduoduo added more than 100 million active buyers
in a year," said a portfolio manager at a New York fund that bought shares in the IPO.

Tencent, which owns about 18 percent of the company and lets it tap WeChat users, has seen
the value of its stake rise to more than $5 billion.

Trading volumes were heavy as short sellers took positions, betting that concerns about
fake goods and slowing growth would weigh on the shares once analysts at the underwriting
banks begin coverage later this month.

Pinduoduo has said it will use the IPO proceeds for research, marketing and acquisitions.
""",
    ),
    dict(
        path="/zh/2018/08/pinduoduo-gujia-shouzhou-zhendang.html",
        story="pdd-shares-2018-08",
        outlet="kjq",
        feed="zh",
        author="陈晓",
        published="2018-08-01T11:45:00+08:00",
        title="拼多多上市首周股价震荡 腾讯持股市值超50亿美元",
        body="""
拼多多在纳斯达克上市后的首个完整交易周内股价大幅波动。上市首日，拼多多股价较19美元的发行价上涨约40%，市值一度接近300亿美元。

随后几个交易日，拼多多股价有所回落，但仍高于发行价。有美股分析人士表示，市场看重拼多多用户规模的快速增长，一年内新增活跃买家超过1亿。

腾讯是拼多多的第二大股东，持股约18%。按当前股价计算，腾讯所持股份市值已超过50亿美元。

也有投资者担心，假货争议和高额营销投入可能影响拼多多未来的盈利能力。首批承销商分析师预计将于本月下旬发布研究报告。

拼多多表示，上市募集资金将主要用于研发、营销和潜在的投资并购。
""",
    ),
]

# ---------------------------------------------------------------- amazon-ccu-2020
ARTICLES += [
    dict(
        path="/en/2020/06/amazon-counterfeit-crimes-unit.html",
        story="amazon-ccu-2020",
        outlet="amazon-news",
        feed="newsroom",
        author="Amazon Press Office",
        published="2020-06-24T13:00:00Z",
        date_style="jsonld",
        title="Amazon establishes a Counterfeit Crimes Unit to pursue counterfeiters in court",
        body="""
Amazon today announced the creation of a Counterfeit Crimes Unit, a team of former federal
prosecutors, investigators and data analysts dedicated to bringing counterfeiters to
justice.

The unit will work with brands and law enforcement around the world to file civil
lawsuits, support criminal referrals and trace the people and businesses behind
counterfeit listings, the company said.

"We will hold counterfeiters accountable wherever they operate, and we will use every tool
available, including the courts," Amazon said in the announcement. "Stopping a fake listing
is not enough; we want to stop the people behind it."

Amazon said it invested more than $500 million in 2019 in fraud prevention and blocked
more than 2.5 billion suspected bad listings before they were published. The company
encouraged brands to enrol in its Brand Registry and Project Zero programmes.

Rights holders who believe their intellectual property has been infringed can report it
through Amazon's reporting tools, the company said.
""",
    ),
    dict(
        path="/en/2020/06/amazon-unit-pursue-counterfeiters.html",
        story="amazon-ccu-2020",
        outlet="ptw",
        feed="en",
        author="Grace Lin",
        published="2020-06-24T15:30:00Z",
        title="Amazon forms unit to pursue counterfeiters in court and with police",
        body="""
Amazon.com Inc said on Wednesday it had set up a dedicated unit to track down and sue
counterfeiters who sell on its marketplace, as the world's largest online retailer tries
to answer long-running complaints from brands about fakes.

The Counterfeit Crimes Unit, staffed by former prosecutors and investigators, will file
lawsuits against sellers and pass evidence to police in the United States, Europe and
China, the company said.

"We will hold counterfeiters accountable wherever they operate," Amazon said in a
statement. Dharmesh Mehta, the vice president in charge of customer trust, told reporters
the unit would focus on "the networks, not just the listings."

Brand owners gave the move a cautious welcome. "It is a positive step, but brands still do
most of the detective work," said the head of a trade group for footwear makers. A
lawyer who represents apparel brands said Amazon's third-party marketplace made it "far
too easy" for banned sellers to reopen under new names.

Last year Amazon for the first time listed counterfeits as a risk factor in its annual
report to investors. The company says fewer than 0.01 percent of products sold on its
site received a counterfeit complaint.
""",
    ),
    dict(
        path="/en/2020/06/amazon-anti-fake-unit-chinese-sellers.html",
        story="amazon-ccu-2020",
        outlet="atd",
        feed="en",
        author="Priya Raman",
        published="2020-06-25T05:45:00Z",
        title="Amazon's new anti-fake unit puts cross-border sellers on notice",
        body="""
Amazon's new Counterfeit Crimes Unit, announced on Wednesday, could have its biggest
impact far from Seattle: in the factory towns of southern China, where many of the
marketplace's third-party sellers are based.

Amazon said the unit would work with law enforcement "around the world" to pursue people
who sell counterfeit goods, and would refer cases to Chinese police where the evidence
leads there.

Sellers in Shenzhen said they expected tougher checks. "Honest sellers have nothing to
fear. The ones making knockoffs of famous brands will move to other platforms," said the
founder of an electronics accessories brand that sells on Amazon.

Lawyers in Singapore and Hong Kong said civil lawsuits in US courts against sellers in
China have had mixed results, because judgments are hard to enforce. "The criminal
referrals are the part to watch," said an intellectual property lawyer.

Amazon said its automated systems already block most suspicious listings before they go
live.
""",
    ),
    dict(
        path="/zh/2020/06/yamaxun-chengli-jiamao-fanzui-bumen.html",
        story="amazon-ccu-2020",
        outlet="dfjj",
        feed="zh",
        author="孙立",
        published="2020-06-25T08:30:00+08:00",
        title="亚马逊成立“假冒犯罪部门” 将起诉售假者并协助执法",
        body="""
美国电商巨头亚马逊当地时间24日宣布成立“假冒犯罪部门”（Counterfeit Crimes Unit），专门追查和起诉在其平台上销售假货的商家。

据亚马逊介绍，该部门由前联邦检察官、调查人员和数据分析师组成，将与全球品牌方和执法机构合作，提起民事诉讼，并向警方移交刑事线索。

亚马逊在声明中表示：“无论造假者在哪里，我们都将追究其责任。”亚马逊称，2019年公司在防欺诈方面投入超过5亿美元，在上架前拦截了超过25亿条可疑商品信息。

有品牌方人士表示，亚马逊此举是积极信号，但品牌仍需承担大量取证工作。一位知识产权律师称，被封禁的卖家换个名字重新开店的情况仍然存在。

不少中国跨境卖家关注此事。深圳一位跨境电商从业者表示，正规卖家不必担心，“做仿品、侵权的卖家会越来越难生存”。
""",
    ),
    dict(
        path="/zh/2020/06/yamaxun-daji-fangmao-xiaozu-tw.html",
        story="amazon-ccu-2020",
        outlet="tbjm",
        feed="zh",
        author="黃志明",
        published="2020-06-25T10:10:00+08:00",
        title="亞馬遜成立打擊仿冒犯罪小組 台灣品牌業者表歡迎",
        body="""
美國電商龍頭亞馬遜（Amazon）24日宣布成立「仿冒犯罪小組」，由前聯邦檢察官及調查人員組成，專門對在平台上販售假貨的賣家提出訴訟，並協助各國執法機關辦案。

亞馬遜在聲明中表示，「無論造假者在哪裡，我們都將追究其責任」，並指公司去年投入逾5億美元防範詐欺。

台灣自行車及3C品牌業者對此表示歡迎。一名自行車零件品牌主管說，公司產品在海外電商平台上經常遭到仿冒，「過去檢舉一件下架一件，仿冒者很快又回來」。

台灣智慧財產權律師指出，跨國民事訴訟判決不易執行，新小組能否發揮效果，關鍵在於與各地警方的合作。

經濟部官員表示，將持續協助台灣業者在海外維護智慧財產權。
""",
    ),
]

# ---------------------------------------------------------------- distractor: Amazon logistics
ARTICLES += [
    dict(
        path="/en/2020/06/amazon-delivery-stations-expansion.html",
        story="amazon-logistics-2020-06",
        outlet="ledger",
        feed="en",
        author="Tom Whitcombe",
        published="2020-06-24T17:20:00Z",
        title="Amazon adds delivery stations and cargo flights as pandemic orders surge",
        body="""
Amazon said on Wednesday it would open dozens of new delivery stations across the United
States this summer and lease additional cargo aircraft, as a surge in online orders during
the coronavirus pandemic strains its logistics network.

The company said the new stations, small warehouses where packages are sorted for the last
mile, would create thousands of jobs, and that its air fleet would grow to more than 80
planes by the end of next year.

"Customers are relying on us more than ever, and we are investing to get them their
orders faster," an Amazon spokeswoman said.

Delivery times for non-essential items stretched to weeks in March and April, when Amazon
prioritised household staples and medical supplies. The company said most Prime deliveries
were now back to two days or less.

Independent sellers who use Amazon's warehouses said storage limits had been the biggest
problem this spring. Some also complained that their listings were being copied by fake
sellers while stock was stuck in transit.

Analysts said the investment would pressure margins in the short term but strengthen
Amazon's lead over rivals in delivery speed.
""",
    ),
    dict(
        path="/zh/2020/06/yamaxun-kuojian-wuliu-wangluo.html",
        story="amazon-logistics-2020-06",
        outlet="kjq",
        feed="zh",
        author="陈晓",
        published="2020-06-24T22:40:00+08:00",
        title="订单激增 亚马逊在美扩建配送站并增加货机",
        body="""
亚马逊24日表示，今年夏天将在美国新开数十个配送站，并租赁更多货运飞机，以应对新冠疫情期间激增的网购订单。

亚马逊称，新配送站将创造数千个就业岗位，其自有航空机队规模到明年底将超过80架。

亚马逊发言人表示：“顾客比以往任何时候都更依赖我们，我们正在加大投入，让他们更快收到订单。”

今年3月和4月，亚马逊优先配送日用品和医疗物资，非必需品的配送时间一度延长至数周。

一些使用亚马逊仓储服务的中国跨境卖家表示，今年春季最大的问题是入仓限制；也有卖家担心，货物在途期间自己的商品页面被跟卖，甚至出现仿品。

分析人士认为，这笔投资短期内会压低利润率，但将巩固亚马逊在配送速度上的优势。
""",
    ),
]

# ---------------------------------------------------------------- ustr-taobao-2016
ARTICLES += [
    dict(
        path="/en/2016/12/ustr-notorious-markets-2016.html",
        story="ustr-taobao-2016",
        outlet="ustr-news",
        feed="newsroom",
        author="USTR Press Office",
        published="2016-12-21T17:00:00Z",
        title="USTR releases 2016 Out-of-Cycle Review of Notorious Markets",
        body="""
The Office of the United States Trade Representative today released its 2016
Out-of-Cycle Review of Notorious Markets, which identifies online and physical markets
reported to engage in or facilitate substantial trademark counterfeiting and copyright
piracy.

This year's list again includes Taobao, the online marketplace operated by Alibaba Group.
"The reported levels of counterfeiting and piracy on Taobao are unacceptably high," USTR
said in the report, adding that rights holders continue to face difficulty in getting
listings removed.

USTR said it recognised steps Alibaba has taken, but that those steps had not yet produced
the results rights holders need. "We encourage Alibaba to continue to work with rights
holders, and to make its tools effective for small and medium-sized businesses," the
report said.

The Notorious Markets List does not reflect findings of legal violations, nor does it
reflect the United States Government's analysis of the general intellectual property
protection and enforcement climate in the country concerned.
""",
    ),
    dict(
        path="/en/2016/12/taobao-back-on-notorious-markets-list.html",
        story="ustr-taobao-2016",
        outlet="ptw",
        feed="en",
        author="Daniel Okafor",
        published="2016-12-21T22:10:00Z",
        title="US puts Alibaba's Taobao back on 'notorious markets' list",
        body="""
The United States on Wednesday put Alibaba Group's Taobao marketplace back on its list of
"notorious markets" for counterfeit and pirated goods, four years after removing it, in a
blow to the Chinese company's efforts to win over Western brands.

The Office of the US Trade Representative said in its annual review that the levels of
counterfeiting on Taobao were "unacceptably high" and that brand owners, especially small
businesses, struggled to get fakes taken down.

Alibaba said it was disappointed. "We are very disappointed that USTR has disregarded the
actual work we have done to protect intellectual property," Alibaba president Michael
Evans said in a statement. He said the company had removed far more infringing listings
than in any previous year and that the decision appeared to be influenced by politics.

The American Apparel & Footwear Association, which had urged USTR to list Taobao, welcomed
the decision, saying its members continued to find large numbers of fakes on the site.

The listing carries no direct penalties but adds to pressure on Alibaba, which is also
fighting a lawsuit by Kering in New York.
""",
    ),
    dict(
        path="/zh/2016/12/shangwubu-emingshichang-dawen.html",
        story="ustr-taobao-2016",
        outlet="mofcom-news",
        feed="newsroom",
        author="商务部新闻办公室",
        published="2016-12-22T15:30:00+08:00",
        title="商务部新闻发言人就美方将淘宝列入“恶名市场”名单答记者问",
        body="""
问：美国贸易代表办公室日前发布年度“恶名市场”报告，再次将淘宝网列入名单。请问商务部对此有何评论？

答：我们注意到有关报告。商务部新闻发言人表示，中国政府高度重视知识产权保护，近年来持续开展打击侵犯知识产权和制售假冒伪劣商品专项行动，取得了明显成效，这是有目共睹的。

发言人称，美方在没有充分事实依据的情况下，将中国企业列入所谓“恶名市场”名单，“这种做法不客观、不公正，中方对此表示不满”。

发言人表示，打击网络售假是全球性课题，需要各国加强合作。希望美方客观看待中国在知识产权保护方面的进步，多做有利于中美经贸关系健康发展的事。
""",
    ),
    dict(
        path="/zh/2016/12/taobao-zaishang-emingshichang.html",
        story="ustr-taobao-2016",
        outlet="hsc",
        feed="zh",
        author="周敏",
        published="2016-12-22T09:10:00+08:00",
        title="淘宝再上美国“恶名市场”名单 阿里巴巴：非常失望",
        body="""
美国贸易代表办公室当地时间21日发布2016年度“恶名市场”报告，时隔四年再次将阿里巴巴旗下的淘宝网列入名单。

美国贸易代表办公室在报告中称，淘宝网上的假冒和盗版商品“水平高得令人无法接受”，品牌权利人尤其是中小企业投诉下架仍然困难。

阿里巴巴总裁迈克·埃文斯（Michael Evans）在声明中说，阿里巴巴“非常失望”，美方无视了阿里巴巴在知识产权保护方面所做的实际工作，这一决定“可能受到了当前政治气候的影响”。

阿里巴巴称，过去一年平台主动删除的侵权商品链接数量远超以往，并与多个国际品牌建立了合作。

有分析人士认为，“恶名市场”名单本身不带来直接处罚，但会影响阿里巴巴在海外的声誉和与国际品牌的合作。也有专家表示，淘宝的假货问题确实存在，“与其喊冤，不如拿出更有说服力的打假成绩”。
""",
    ),
    dict(
        path="/zh/2016/12/taobao-chongfan-eming-shichang-hk.html",
        story="ustr-taobao-2016",
        outlet="gwcj",
        feed="zh",
        author="陳家豪",
        published="2016-12-22T11:30:00+08:00",
        title="淘寶重返美國「惡名市場」名單 商務部：不客觀不公正",
        body="""
美國貿易代表辦公室周三公布年度「惡名市場」報告，阿里巴巴旗下淘寶網時隔四年再度上榜，報告指淘寶上的假冒及盜版商品「高得不可接受」。

阿里巴巴總裁Michael Evans表示，公司「非常失望」，又指決定或受政治氣候影響。

國家商務部發言人其後回應，指美方做法「不客觀、不公正」，並稱中國打擊侵權假冒的成效有目共睹。

有本港知識產權律師認為，淘寶雖然加強了打假，但中小品牌投訴仍然困難，「名單反映的是品牌商的不滿」。

分析員指，上榜不會帶來直接制裁，但在中美貿易關係緊張的背景下，事件或成為雙方角力的一部分。
""",
    ),
]

# ---------------------------------------------------------------- ustr-pdd-2020
ARTICLES += [
    dict(
        path="/en/2020/04/pinduoduo-notorious-markets-list.html",
        story="ustr-pdd-2020",
        outlet="ptw",
        feed="en",
        author="Grace Lin",
        published="2020-04-29T21:00:00Z",
        title="Pinduoduo named on US 'notorious markets' list for the first time",
        body="""
The US Trade Representative on Wednesday added Chinese e-commerce company Pinduoduo to its
annual list of notorious markets for counterfeits, while keeping Alibaba's Taobao on the
list.

In its review, USTR said rights holders had reported high levels of counterfeit goods on
Pinduoduo and that the company's procedures for removing infringing listings were "slow
and burdensome." It also said Pinduoduo's penalties for repeat infringers were
insufficient.

Pinduoduo said it disagreed with the decision. "We have zero tolerance for counterfeits
and have made significant progress in protecting intellectual property," the company said
in a statement, adding that it would continue to engage with USTR and brand owners.

The listing comes as the US and China carry out a trade agreement signed in January, which
includes commitments by Beijing to act against online counterfeiting.

The list carries no sanctions but is closely watched by investors and brand owners.
""",
    ),
    dict(
        path="/en/2020/04/pinduoduo-rejects-ustr-listing.html",
        story="ustr-pdd-2020",
        outlet="atd",
        feed="en",
        author="Priya Raman",
        published="2020-04-30T07:30:00Z",
        title="Pinduoduo pushes back after US adds it to counterfeit blacklist",
        body="""
Pinduoduo has rejected its inclusion on the US government's list of notorious markets for
counterfeit goods, saying the decision did not reflect the work it had done since fakes
on its platform drew a public outcry in 2018.

"The report relies on outdated information," a Pinduoduo spokesperson said on Thursday.
The company said it had removed millions of suspicious listings last year and introduced
a faster complaint process for brands.

The Office of the US Trade Representative said in its report that brand owners found
Pinduoduo's takedown procedures "slow and burdensome". Taobao, run by Alibaba, remained on
the list.

Analysts in Singapore said the listing was unlikely to hurt Pinduoduo's business in China,
where most of its customers are, but could complicate partnerships with foreign brands.
"Brands want to see the same enforcement they get on bigger platforms," said a regional
e-commerce consultant.
""",
    ),
    dict(
        path="/zh/2020/04/pinduoduo-lieru-emingshichang.html",
        story="ustr-pdd-2020",
        outlet="kjq",
        feed="zh",
        author="陈晓",
        published="2020-04-30T09:40:00+08:00",
        title="拼多多首次被列入美国“恶名市场”名单 公司回应称信息过时",
        body="""
美国贸易代表办公室当地时间29日发布年度“恶名市场”报告，拼多多首次被列入名单，淘宝网则继续在列。

美国贸易代表办公室在报告中称，品牌权利人反映拼多多上假冒商品较多，投诉下架流程“缓慢且繁琐”，对重复侵权者的处罚也不够严厉。

拼多多回应称，报告所依据的信息“已经过时”。拼多多表示，平台对假货零容忍，去年主动下架了数百万条疑似侵权商品信息，并为品牌方开通了快速投诉通道。

有知识产权律师指出，“恶名市场”名单不带来直接制裁，但会影响国际品牌对平台的看法。

也有业内人士认为，名单的发布时机耐人寻味，“在中美经贸关系复杂的背景下，这份名单不仅是知识产权问题”。
""",
    ),
    dict(
        path="/zh/2020/05/emingshichang-mingdan-pinglun.html",
        story="ustr-pdd-2020",
        outlet="dfjj",
        feed="zh",
        author="高远",
        published="2020-05-01T08:15:00+08:00",
        title="观察：美方“恶名市场”名单再点名中国电商 打假成效应由事实说话",
        body="""
美国贸易代表办公室日前发布的年度“恶名市场”报告，将拼多多首次列入名单，淘宝网也再次在列。

对于美方的做法，商务部此前曾多次表示，美方在缺乏事实依据的情况下将中国企业列入名单，“不客观、不公正”。商务部强调，中国打击侵权假冒工作取得的成效有目共睹。

从平台方面看，拼多多称报告依据的信息已经过时，平台近年来加大了打假投入。阿里巴巴则表示，将继续与全球品牌合作保护知识产权。

不过也应看到，电商平台上的假货问题并没有完全解决。一位品牌维权人士表示，一些售假商家被封店后换个身份重新开店，“打假需要平台拿出更严厉的手段”。

打假成效如何，最终要由事实说话。与其纠结于一份名单，中国电商平台更应该用实实在在的治理成果赢得消费者和品牌的信任。
""",
    ),
]

# ---------------------------------------------------------------- jd-2017
ARTICLES += [
    dict(
        path="/en/2017/06/jd-anti-counterfeiting-alliance.html",
        story="jd-2017",
        outlet="atd",
        feed="en",
        author="Priya Raman",
        published="2017-06-13T08:00:00Z",
        title="JD.com forms anti-counterfeiting alliance with brands and sues a fake seller",
        body="""
JD.com, China's second-largest e-commerce company, on Tuesday launched an
anti-counterfeiting alliance with about 20 domestic and foreign brands and said it had
sued a merchant accused of selling fake cosmetics on its marketplace.

Members of the alliance will share information on counterfeit sellers and coordinate
complaints to police, JD.com said. The company said it would also offer rewards to
shoppers who report fakes.

"Counterfeits damage consumers, brands and the platform itself. We will pursue every
seller who cheats our customers," a JD.com executive in charge of platform governance said
at the launch in Beijing.

The lawsuit, filed in a Beijing court, seeks damages from a third-party seller that JD.com
says sold fake skincare products under the names of two international brands. It is one
of the first cases in which a Chinese platform has sued its own merchant for selling
counterfeits.

JD.com has long marketed itself as a safer alternative to Alibaba's Taobao, because it
sells much of its merchandise directly. Alibaba launched a similar alliance with brands in
January.
""",
    ),
    dict(
        path="/en/2017/06/jd-alliance-marketing-or-enforcement.html",
        story="jd-2017",
        outlet="grr",
        feed="en",
        author="Hannah Brooks",
        published="2017-06-14T16:20:00Z",
        title="JD.com's anti-fake alliance: marketing push or real enforcement?",
        body="""
JD.com's new anti-counterfeiting alliance, launched in Beijing on Tuesday, has been
welcomed by the brands that signed up, but brand-protection specialists say its value will
depend on what happens after the launch ceremony.

"Alliances are easy to announce. The question is whether the information flows both ways,"
said a brand-protection manager at a European sportswear company, which did not join.

JD.com said the alliance would share data on sellers of fakes and coordinate with police.
It also sued a merchant accused of selling counterfeit cosmetics, which it said showed the
company would "not hesitate to go to court."

The move comes amid intense competition with Alibaba, which announced its own Big Data
Anti-Counterfeiting Alliance earlier this year and has sued counterfeit sellers in Chinese
courts.

"Both companies want to be seen as the platform brands can trust. That competition is good
for brands," said a trademark lawyer in Shanghai.
""",
    ),
    dict(
        path="/zh/2017/06/jingdong-dajia-lianmeng-qisu.html",
        story="jd-2017",
        outlet="nlds",
        feed="zh",
        author="张玥",
        published="2017-06-13T20:00:00+08:00",
        charset="gb2312",
        title="京东联合品牌成立打假联盟 起诉平台售假商家",
        body="""
6月13日，京东在北京宣布联合约20家国内外品牌成立打假联盟，同时宣布已对一家涉嫌在京东平台销售假冒化妆品的第三方商家提起诉讼。

京东相关负责人表示，联盟成员将共享售假商家信息，联合向公安机关报案，并对举报假货的消费者给予奖励。“假货伤害的是消费者、品牌，也是平台自己。对欺骗消费者的商家，我们一个都不会放过。”

据介绍，被诉商家涉嫌以两个国际品牌的名义销售假冒护肤品，京东要求其赔偿经济损失。这是国内电商平台较早起诉自家商家售假的案例之一。

北京一位知识产权律师刘堃表示，平台起诉售假商家，有助于提高售假成本，“过去售假被查，往往只是封店了事”。

加入联盟的一家化妆品品牌负责人称，品牌与平台合作打假，效率会比单打独斗高得多。

南岭市民王女士说，自己平时网购化妆品最担心买到假货，“希望平台真正把好关，让消费者买到正品”。
""",
    ),
    dict(
        path="/zh/2017/06/jingdong-dajia-lianmeng-chengli.html",
        story="jd-2017",
        outlet="hsc",
        feed="zh",
        author="孙悦",
        published="2017-06-13T16:30:00+08:00",
        title="京东打假联盟成立 平台首次起诉售假商家",
        body="""
京东13日宣布成立打假联盟，约20家国内外品牌加入。京东同时宣布，已在北京对一家涉嫌销售假冒化妆品的第三方商家提起诉讼。

京东方面在发布会上表示，平台对假货“零容忍”，将与品牌方共享售假商家信息，协同公安机关打击制售假冒商品的源头。

京东称，自营业务一直坚持正品行货，对第三方商家也将采取更严格的准入和抽检制度。

业内人士指出，此前阿里巴巴已于今年1月牵头成立大数据打假联盟，电商平台之间的打假竞争正在升温。一位电商分析师表示：“谁能让品牌和消费者相信平台上卖的是正品，谁就能赢得竞争。”

也有律师提醒，打假联盟能否发挥作用，关键在于信息共享和执法协作能否真正落地。
""",
    ),
]

# ---------------------------------------------------------------- distractor: JD 618
ARTICLES += [
    dict(
        path="/zh/2017/06/jingdong-618-yure.html",
        story="jd-618-2017",
        outlet="xxf",
        feed="zh",
        author="许静",
        published="2017-06-13T10:20:00+08:00",
        title="京东618年中购物节进入冲刺 家电手机优惠力度加大",
        body="""
一年一度的京东618年中购物节进入冲刺阶段。京东方面13日表示，今年618期间家电、手机等品类将推出更大力度的优惠，并首次在部分城市试点无人机配送。

京东称，今年参与618的品牌数量比去年增加约三成，大量新品将在活动期间首发。京东表示，自营商品均为正品行货，消费者可放心购买。

京东物流相关负责人表示，为应对订单高峰，京东在全国提前备货，部分城市可实现当日达甚至“半日达”。

分析人士认为，618已从京东的店庆日发展为全行业的年中购物节，天猫、苏宁等平台也纷纷推出促销活动，竞争日趋激烈。

有消费者表示，今年更关注商品的售后服务和配送速度，“价格差不多的情况下，会选择送货快、售后有保障的平台”。
""",
    ),
]

STATEMENT_PAIRS: list[dict] = [
    {
        "story": "iacc-2016",
        "organisation": "Alibaba",
        "en_path": "/en/2016/05/alibaba-statement-iacc-decision.html",
        "en_quote": "a step in the wrong direction and regrettable",
        "zh_path": "/zh/2016/05/alibaba-guanyu-iacc-shengming.html",
        "zh_quote": "被个别企业的私利绑架",
        "expected": "same stance, harsher tone in Chinese",
    },
    {
        "story": "pdd-2018",
        "organisation": "Pinduoduo",
        "en_path": "/en/2018/07/pinduoduo-fake-goods-backlash.html",
        "en_quote": "We have zero tolerance for counterfeit goods",
        "zh_path": "/zh/2018/08/pinduoduo-pingtai-zhili-shengming.html",
        "zh_quote": "一些竞争对手借机恶意抹黑、有组织地炒作",
        "expected": "same stance against fakes, harsher tone in Chinese (attacks critics)",
    },
    {
        "story": "kering-2017",
        "organisation": "Alibaba",
        "en_path": "/en/2017/08/kering-drops-alibaba-lawsuit.html",
        "en_quote": "We have always believed that brands and platforms are stronger when they fight counterfeits together",
        "zh_path": "/zh/2017/08/kaiyun-chesu-alibaba.html",
        "zh_quote": "品牌和平台携手，才能更有效地打击假货。",
        "expected": "same stance, same conciliatory tone",
    },
    {
        "story": "amazon-ccu-2020",
        "organisation": "Amazon",
        "en_path": "/en/2020/06/amazon-counterfeit-crimes-unit.html",
        "en_quote": "We will hold counterfeiters accountable wherever they operate",
        "zh_path": "/zh/2020/06/yamaxun-chengli-jiamao-fanzui-bumen.html",
        "zh_quote": "无论造假者在哪里，我们都将追究其责任。",
        "expected": "same stance, same tone (the Chinese is a translation)",
    },
    {
        "story": "ustr-taobao-2016",
        "organisation": "Alibaba",
        "en_path": "/en/2016/12/taobao-back-on-notorious-markets-list.html",
        "en_quote": "We are very disappointed that USTR has disregarded the actual work we have done to protect intellectual property",
        "zh_path": "/zh/2016/12/taobao-zaishang-emingshichang.html",
        "zh_quote": "可能受到了当前政治气候的影响",
        "expected": "same stance, similar tone; the political charge is quoted directly only in Chinese",
    },
]
